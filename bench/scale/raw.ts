import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import { DestinationRule, Gateway, VirtualService } from '../../imports/istio-networking.istio.io';
import {
  HEADER_ROUTE,
  HEADER_ROUTE_VERSION,
  INGRESS_ROUTE_VERSION,
  INGRESS_SELECTOR,
  SCALE_NAMESPACE,
  SCALE_PORT,
  SCALE_VERSIONS,
  scaleImage,
  ScaleService,
  WEIGHTED_ROUTE,
} from './model';

/**
 * The baseline: the objects of one generated service built straight from the L1 classes
 * (`k8s.Kube*` and the imported Istio classes), with no validation and no mesh analysis.
 * It mirrors what the library's constructs emit for the same input; the bench checks that
 * both variants synthesize identical manifests before it times them.
 */
export function buildRawService(chart: Chart, svc: ScaleService): void {
  const scope = new Construct(chart, svc.name);
  buildRawWorkload(scope, svc);
  buildRawRouting(scope, svc);
  if (svc.exposed) buildRawExposure(scope, svc);
}

/** Service, ServiceAccount and a Deployment per version (what `VersionedWorkload` emits). */
export function buildRawWorkload(scope: Construct, svc: ScaleService): void {
  const ns = SCALE_NAMESPACE;
  const account = svc.name;

  new k8s.KubeService(scope, 'Service', {
    metadata: { name: svc.name, namespace: ns, labels: { app: svc.name, service: svc.name } },
    spec: { ports: [{ port: SCALE_PORT, name: 'http' }], selector: { app: svc.name } },
  });
  new k8s.KubeServiceAccount(scope, 'ServiceAccount', {
    metadata: { name: account, namespace: ns, labels: { account: svc.name } },
  });
  for (const version of SCALE_VERSIONS) {
    const selector = { app: svc.name, version };
    new k8s.KubeDeployment(scope, `Deployment-${version}`, {
      metadata: { name: `${svc.name}-${version}`, namespace: ns, labels: selector },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...selector, 'sidecar.istio.io/inject': 'true' } },
          spec: {
            serviceAccountName: account,
            containers: [
              {
                name: svc.name,
                image: scaleImage(version),
                imagePullPolicy: 'IfNotPresent',
                ports: [{ containerPort: SCALE_PORT }],
                securityContext: { runAsUser: 1000 },
              },
            ],
          },
        },
      },
    });
  }
}

/** DestinationRule with a subset per version, and the mesh VirtualService: header route, then the split. */
export function buildRawRouting(scope: Construct, svc: ScaleService): void {
  const ns = SCALE_NAMESPACE;
  // Everything lives in one namespace, so the short Service name is the host (as Istio's samples write it).
  const host = svc.name;
  new DestinationRule(scope, 'DestinationRule', {
    metadata: { name: svc.name, namespace: ns },
    spec: {
      host,
      subsets: SCALE_VERSIONS.map((version) => ({ name: version, labels: { version } })),
    },
  });
  new VirtualService(scope, 'VirtualService', {
    metadata: { name: svc.name, namespace: ns },
    spec: {
      hosts: [host],
      http: [
        {
          match: [{ headers: { [HEADER_ROUTE.header]: { exact: HEADER_ROUTE.exact } } }],
          route: [{ destination: { host, subset: HEADER_ROUTE_VERSION } }],
        },
        {
          route: WEIGHTED_ROUTE.map((r) => ({ destination: { host, subset: r.version }, weight: r.weight })),
        },
      ],
    },
  });
}

/** Gateway for the external host, and the VirtualService bound to it. */
export function buildRawExposure(scope: Construct, svc: ScaleService): void {
  const ns = SCALE_NAMESPACE;
  const host = svc.name;
  const gateway = `${svc.name}-gateway`;
  new Gateway(scope, 'Gateway', {
    metadata: { name: gateway, namespace: ns },
    spec: {
      selector: { ...INGRESS_SELECTOR },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [svc.externalHost] }],
    },
  });
  new VirtualService(scope, 'IngressVirtualService', {
    metadata: { name: `${svc.name}-ingress`, namespace: ns },
    spec: {
      hosts: [svc.externalHost],
      gateways: [gateway],
      http: [
        {
          match: [{ uri: { prefix: '/' } }],
          route: [{ destination: { host, subset: INGRESS_ROUTE_VERSION, port: { number: SCALE_PORT } } }],
        },
      ],
    },
  });
}
