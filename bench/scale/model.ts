/**
 * The generated workload of the scale benchmark, shared by the library variant and the raw-L1
 * variant so that both build the same objects: N services with three versions each, a header
 * route and a weighted split per service, and every tenth service exposed at the ingress gateway.
 */

/** Namespace of every generated object. */
export const SCALE_NAMESPACE = 'scale';
/** The versions of every service, one Deployment each. */
export const SCALE_VERSIONS = ['v1', 'v2', 'v3'] as const;
/** The port every generated service listens on. */
export const SCALE_PORT = 9080;
/** Services per chart (one YAML file per chart) unless the bench says otherwise. */
export const SERVICES_PER_CHART = 100;
/** Requests with this header value go to {@link HEADER_ROUTE_VERSION}. */
export const HEADER_ROUTE = { header: 'end-user', exact: 'jason' } as const;
/** Target of the header route. */
export const HEADER_ROUTE_VERSION = 'v2';
/** The weighted split of every other request (sums to 100). */
export const WEIGHTED_ROUTE: ReadonlyArray<{ readonly version: string; readonly weight: number }> = [
  { version: 'v1', weight: 80 },
  { version: 'v3', weight: 20 },
];
/** The subset that ingress traffic goes to (a gateway-bound route must use subsets too: IST0140). */
export const INGRESS_ROUTE_VERSION = 'v1';
/** Selector of the ingress gateway pods (what `istioctl install` labels them). */
export const INGRESS_SELECTOR = { istio: 'ingressgateway' } as const;

/** One generated service. */
export interface ScaleService {
  /** Index, 0-based. */
  readonly index: number;
  /** Service name, e.g. `svc-0042`. */
  readonly name: string;
  /** Whether it is exposed at the ingress gateway (every tenth). */
  readonly exposed: boolean;
  /** External host name when exposed. */
  readonly externalHost: string;
}

/** The services of a run of size `n`, grouped into charts of `perChart` services. */
export function scaleCharts(n: number, perChart = SERVICES_PER_CHART): ScaleService[][] {
  const charts: ScaleService[][] = [];
  for (let i = 0; i < n; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    if (i % perChart === 0) charts.push([]);
    charts[charts.length - 1].push({ index: i, name, exposed: i % 10 === 0, externalHost: `${name}.example.com` });
  }
  return charts;
}

/** The image of a version of a service. */
export function scaleImage(version: string): string {
  return `docker.io/istio/examples-bookinfo-details-${version}:1.17.0`;
}
