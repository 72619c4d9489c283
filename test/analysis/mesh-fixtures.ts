/** Raw L1 building blocks for the mesh-analysis tests: every object is built by hand, as a user would. */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import { DestinationRule, Gateway, VirtualService } from '../../imports/istio-networking.istio.io';
import { BookinfoApp } from '../../lib/bookinfo/bookinfo-app';

export const BOOKINFO_SERVICES = ['productpage', 'details', 'ratings', 'reviews'];

/** A Service `name` selecting `app: name`, with `ports` (default one `http` port 9080). */
export function service(
  scope: Construct,
  name: string,
  opts: { namespace?: string; ports?: k8s.ServicePort[] } = {},
): k8s.KubeService {
  return new k8s.KubeService(scope, `svc-${opts.namespace ?? 'default'}-${name}`, {
    metadata: { name, namespace: opts.namespace },
    spec: { selector: { app: name }, ports: opts.ports ?? [{ name: 'http', port: 9080 }] },
  });
}

/** A Deployment `name-version` with pod labels `labels` (default app + version). */
export function deployment(
  scope: Construct,
  app: string,
  version: string,
  opts: { namespace?: string; labels?: Record<string, string> } = {},
): k8s.KubeDeployment {
  const labels = opts.labels ?? { app, version };
  return new k8s.KubeDeployment(scope, `deploy-${opts.namespace ?? 'default'}-${app}-${version}`, {
    metadata: { name: `${app}-${version}`, namespace: opts.namespace },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: app, image: `example/${app}:${version}`, ports: [{ containerPort: 9080 }] }] },
      },
    },
  });
}

/** A Service plus one Deployment per version. */
export function workload(scope: Construct, name: string, versions: string[], namespace?: string): void {
  service(scope, name, { namespace });
  for (const v of versions) deployment(scope, name, v, { namespace });
}

/** A DestinationRule for `host` with subsets `versions` (labels `version: <v>`). */
export function destinationRule(
  scope: Construct,
  id: string,
  host: string,
  versions: string[],
  namespace?: string,
): DestinationRule {
  return new DestinationRule(scope, id, {
    metadata: { name: id, namespace },
    spec: { host, subsets: versions.map((v) => ({ name: v, labels: { version: v } })) },
  });
}

/** A mesh VirtualService sending all of `host` to `subset`. */
export function routeToSubset(
  scope: Construct,
  id: string,
  host: string,
  subset: string | undefined,
  namespace?: string,
): VirtualService {
  return new VirtualService(scope, id, {
    metadata: { name: id, namespace },
    spec: { hosts: [host], http: [{ route: [{ destination: { host, subset } }] }] },
  });
}

/** A Gateway `name` with one HTTP server on port 80 serving `hosts`. */
export function gateway(scope: Construct, name: string, hosts: string[], namespace?: string): Gateway {
  return new Gateway(scope, `gw-${namespace ?? 'default'}-${name}`, {
    metadata: { name, namespace },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }],
    },
  });
}

/** A ServiceEntry (no generated class for it): raw ApiObject. */
export function serviceEntry(scope: Construct, id: string, hosts: string[]): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'ServiceEntry',
    metadata: { name: id },
    spec: {
      hosts,
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
    },
  });
}

/**
 * Istio's Bookinfo with `destination-rule-all`-style rules (v1, v2, v3 for every service) and
 * `virtual-service-all-v1`-style routes: the consistent mesh every test starts from.
 */
export function consistentBookinfo(chart: Chart): BookinfoApp {
  const bookinfo = new BookinfoApp(chart, 'bookinfo');
  for (const name of BOOKINFO_SERVICES) {
    destinationRule(chart, `dr-${name}`, name, ['v1', 'v2', 'v3']);
    routeToSubset(chart, `vs-${name}`, name, 'v1');
  }
  return bookinfo;
}

/** A fresh chart of a fresh test App. */
export function newChart(): Chart {
  return Testing.chart();
}
