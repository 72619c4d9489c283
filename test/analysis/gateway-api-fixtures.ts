/**
 * Istio's Bookinfo on the Gateway API and in ambient mode, as plain manifests written out by hand
 * from the objects of Istio's samples (bookinfo.yaml, bookinfo-versions.yaml,
 * gateway-api/bookinfo-gateway.yaml, route-reviews-90-10.yaml, and the ambient task's namespace
 * labels, waypoint and AuthorizationPolicies). The correct setup every Gateway API and ambient
 * test starts from.
 */
import { AnalyzedObject } from '../../lib/analysis/mesh-analysis';

export const GW_API = 'gateway.networking.k8s.io/v1';
export const SECURITY = 'security.istio.io/v1';

/** An object at a construct-like path naming its kind, namespace and name. */
export function at(manifest: any): AnalyzedObject {
  const ns = manifest.metadata?.namespace ?? 'default';
  return { path: `app/${manifest.kind}/${ns}/${manifest.metadata?.name}`, manifest };
}

export function namespace(name: string, labels: Record<string, string> = {}): AnalyzedObject {
  return at({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
}

export function service(
  name: string,
  selector: Record<string, string>,
  opts: { namespace?: string; labels?: Record<string, string>; port?: number } = {},
): AnalyzedObject {
  return at({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: opts.namespace ?? 'default', labels: opts.labels ?? { app: selector.app } },
    spec: { selector, ports: [{ name: 'http', port: opts.port ?? 9080 }] },
  });
}

export function deployment(
  name: string,
  labels: Record<string, string>,
  opts: { namespace?: string; serviceAccountName?: string } = {},
): AnalyzedObject {
  return at({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: opts.namespace ?? 'default' },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: opts.serviceAccountName ?? `bookinfo-${labels.app}`,
          containers: [{ name: labels.app, image: `docker.io/istio/examples-bookinfo-${name}:1.20.3` }],
        },
      },
    },
  });
}

export function gateway(name: string, spec: any, ns = 'default'): AnalyzedObject {
  return at({ apiVersion: GW_API, kind: 'Gateway', metadata: { name, namespace: ns }, spec });
}

export function httpRoute(name: string, spec: any, ns = 'default'): AnalyzedObject {
  return at({ apiVersion: GW_API, kind: 'HTTPRoute', metadata: { name, namespace: ns }, spec });
}

export function authorizationPolicy(name: string, spec: any, ns = 'default'): AnalyzedObject {
  return at({ apiVersion: SECURITY, kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec });
}

/** Bookinfo's Deployments and Services, plus bookinfo-versions.yaml's per-version Services. */
export function bookinfoWorkloads(): AnalyzedObject[] {
  const versions: Record<string, string[]> = {
    productpage: ['v1'],
    details: ['v1'],
    ratings: ['v1'],
    reviews: ['v1', 'v2', 'v3'],
  };
  return Object.entries(versions).flatMap(([app, vs]) => [
    service(app, { app }),
    ...vs.map((v) => deployment(`${app}-${v}`, { app, version: v })),
    ...vs.map((v) => service(`${app}-${v}`, { app, version: v })),
  ]);
}

/** The ingress Gateway of gateway-api/bookinfo-gateway.yaml. */
export const bookinfoGateway = (): AnalyzedObject =>
  gateway('bookinfo-gateway', {
    gatewayClassName: 'istio',
    listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }],
  });

/** The HTTPRoute `bookinfo` of gateway-api/bookinfo-gateway.yaml. */
export const bookinfoRoute = (): AnalyzedObject =>
  httpRoute('bookinfo', {
    parentRefs: [{ name: 'bookinfo-gateway' }],
    rules: [
      {
        matches: [
          { path: { type: 'Exact', value: '/productpage' } },
          { path: { type: 'PathPrefix', value: '/static' } },
          { path: { type: 'Exact', value: '/login' } },
          { path: { type: 'Exact', value: '/logout' } },
          { path: { type: 'PathPrefix', value: '/api/v1/products' } },
        ],
        backendRefs: [{ name: 'productpage', port: 9080 }],
      },
    ],
  });

/** The mesh HTTPRoute `reviews` of route-reviews-90-10.yaml (GAMMA: a Service parent). */
export const reviewsRoute = (): AnalyzedObject =>
  httpRoute('reviews', {
    parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
    rules: [
      {
        backendRefs: [
          { name: 'reviews-v1', port: 9080, weight: 90 },
          { name: 'reviews-v2', port: 9080, weight: 10 },
        ],
      },
    ],
  });

/** The waypoint of the ambient task (step 5). */
export const waypoint = (): AnalyzedObject =>
  gateway('waypoint', {
    gatewayClassName: 'istio-waypoint',
    listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
  });

/** The ztunnel policy of the ambient task after step 6: the ingress gateway and the waypoint may call productpage. */
export const productpageZtunnel = (
  principals = ['cluster.local/ns/default/sa/bookinfo-gateway-istio', 'cluster.local/ns/default/sa/waypoint'],
): AnalyzedObject =>
  authorizationPolicy('productpage-ztunnel', {
    selector: { matchLabels: { app: 'productpage' } },
    action: 'ALLOW',
    rules: [{ from: [{ source: { principals } }] }],
  });

/** The waypoint policy of the ambient task (step 6): only curl, only GET. */
export const productpageWaypoint = (): AnalyzedObject =>
  authorizationPolicy('productpage-waypoint', {
    targetRefs: [{ kind: 'Service', group: '', name: 'productpage' }],
    action: 'ALLOW',
    rules: [
      {
        from: [{ source: { principals: ['cluster.local/ns/default/sa/curl'] } }],
        to: [{ operation: { methods: ['GET'] } }],
      },
    ],
  });

/** The whole correct setup: Bookinfo on the Gateway API, in ambient mode, with a namespace waypoint. */
export function ambientBookinfo(): AnalyzedObject[] {
  return [
    namespace('default', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }),
    ...bookinfoWorkloads(),
    bookinfoGateway(),
    bookinfoRoute(),
    reviewsRoute(),
    waypoint(),
    productpageZtunnel(),
    productpageWaypoint(),
  ];
}

/** `objects` with the one whose kind and name match replaced by `replacement` (or dropped). */
export function replacing(
  objects: AnalyzedObject[],
  kind: string,
  name: string,
  replacement?: AnalyzedObject,
): AnalyzedObject[] {
  const out = objects.filter((o) => !(o.manifest.kind === kind && o.manifest.metadata?.name === name));
  return replacement ? [...out, replacement] : out;
}
