/**
 * One small set of plain manifests per mesh check, each tripping exactly that check. The catalog
 * (docs/analysis-catalog.md, `npm run docs:catalog`) quotes the message each one produces, and
 * test/analysis/catalog.test.ts keeps both in step with MESH_CHECKS.
 */
import { MESH_CHECKS } from '../../lib/analysis/findings';
import { AnalyzedObject, ManifestAnalysisOptions } from '../../lib/analysis/mesh-analysis';
import { IstioRelease } from '../../lib/core/istio-release';
import * as G from './gateway-api-fixtures';

/** Manifests (and options) that trip one check. */
export interface CatalogFixture {
  /** The check's code. */
  readonly code: string;
  /** The objects, as a user's YAML would hold them. */
  readonly objects: readonly AnalyzedObject[];
  /**
   * Options the case needs (e.g. exposures, which constructs declare).
   * @default none
   */
  readonly options?: ManifestAnalysisOptions;
}

const NETWORKING = 'networking.istio.io/v1';

function at(path: string, manifest: any): AnalyzedObject {
  return { path: `mesh/${path}`, manifest };
}

function service(name: string, ports: any[] = [{ name: 'http', port: 9080 }]): AnalyzedObject {
  return at(`${name}-svc`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports },
  });
}

function deployment(name: string, labels: Record<string, string>): AnalyzedObject {
  return at(`${name}-deploy`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels } } },
  });
}

/** Service `reviews` (port 9080) with pods of versions v1 and v2. */
const REVIEWS: readonly AnalyzedObject[] = [
  service('reviews'),
  deployment('reviews-v1', { app: 'reviews', version: 'v1' }),
  deployment('reviews-v2', { app: 'reviews', version: 'v2' }),
];

function destinationRule(name: string, spec: any): AnalyzedObject {
  return at(name, { apiVersion: NETWORKING, kind: 'DestinationRule', metadata: { name }, spec });
}

const subsets = (...versions: string[]) => versions.map((v) => ({ name: v, labels: { version: v } }));

/** DestinationRule `reviews` with subsets v1 and v2. */
const REVIEWS_SUBSETS = destinationRule('reviews', { host: 'reviews', subsets: subsets('v1', 'v2') });

function virtualService(name: string, spec: any): AnalyzedObject {
  return at(name, { apiVersion: NETWORKING, kind: 'VirtualService', metadata: { name }, spec });
}

/** A mesh VirtualService for reviews with one HTTP rule routing to `route`. */
const routeReviews = (name: string, route: any[]) => virtualService(name, { hosts: ['reviews'], http: [{ route }] });

function gateway(name: string, hosts: string[]): AnalyzedObject {
  return at(name, {
    apiVersion: NETWORKING,
    kind: 'Gateway',
    metadata: { name },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }],
    },
  });
}

function peerAuthentication(name: string, namespace: string, mode: string): AnalyzedObject {
  return at(name, {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace },
    spec: { mtls: { mode } },
  });
}

/** A Deployment with a pod spec, for the workload, annotation and port checks. */
function podTemplate(
  name: string,
  labels: Record<string, string>,
  opts: {
    namespace?: string;
    annotations?: Record<string, string>;
    podAnnotations?: Record<string, string>;
    ports?: any[];
  } = {},
): AnalyzedObject {
  return at(`${name}-deploy`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: opts.namespace, annotations: opts.annotations },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: opts.podAnnotations },
        spec: { containers: [{ name: labels.app ?? name, image: `example/${name}`, ports: opts.ports }] },
      },
    },
  });
}

/** The pod labels of `istioctl install`'s ingress gateway. */
const INGRESS_LABELS = { app: 'istio-ingressgateway', istio: 'ingressgateway' };

/** A ServiceEntry for https://api.example.com. */
const API_SERVICE_ENTRY = at('api-se', {
  apiVersion: NETWORKING,
  kind: 'ServiceEntry',
  metadata: { name: 'api' },
  spec: {
    hosts: ['api.example.com'],
    ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
    resolution: 'DNS',
  },
});

/** The ingress gateway's pod template, as `istioctl install` labels it. */
const INGRESS_GATEWAY_POD = at('ingressgateway-deploy', {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
  spec: {
    selector: { matchLabels: { istio: 'ingressgateway' } },
    template: { metadata: { labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } } },
  },
});

const C = MESH_CHECKS;

/** One fixture per check, in MESH_CHECKS order. */
export const CATALOG_FIXTURES: readonly CatalogFixture[] = [
  {
    code: C.SUBSET_UNDEFINED.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      routeReviews('reviews-vs', [{ destination: { host: 'reviews', subset: 'v3' } }]),
    ],
  },
  {
    code: C.SUBSET_DUPLICATE.code,
    objects: [...REVIEWS, destinationRule('reviews', { host: 'reviews', subsets: subsets('v1', 'v1') })],
  },
  {
    code: C.SUBSET_NAME.code,
    objects: [
      ...REVIEWS,
      destinationRule('reviews', { host: 'reviews', subsets: [{ name: 'v2.0', labels: { version: 'v2' } }] }),
    ],
  },
  {
    code: C.SUBSET_NO_PODS.code,
    objects: [...REVIEWS, destinationRule('reviews', { host: 'reviews', subsets: subsets('v1', 'v3') })],
  },
  {
    code: C.DR_DUPLICATE_HOST.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      destinationRule('reviews-tls', { host: 'reviews', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
    ],
  },
  {
    code: C.DR_CONFLICT.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      destinationRule('reviews-canary', { host: 'reviews', subsets: subsets('v2') }),
    ],
  },
  {
    code: C.DR_HOST_UNKNOWN.code,
    objects: [destinationRule('ratings', { host: 'ratings', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } })],
  },
  {
    code: C.GATEWAY_NOT_FOUND.code,
    objects: [
      ...REVIEWS,
      virtualService('reviews-ingress', {
        hosts: ['*'],
        gateways: ['bookinfo-gateway'],
        http: [{ route: [{ destination: { host: 'reviews' } }] }],
      }),
    ],
  },
  {
    code: C.GATEWAY_HOST_MISMATCH.code,
    objects: [
      ...REVIEWS,
      gateway('shop-gateway', ['shop.example.com']),
      virtualService('reviews-ingress', {
        hosts: ['reviews.example.com'],
        gateways: ['shop-gateway'],
        http: [{ route: [{ destination: { host: 'reviews' } }] }],
      }),
    ],
  },
  {
    code: C.HOST_CONFLICT.code,
    objects: [
      ...REVIEWS,
      routeReviews('reviews', [{ destination: { host: 'reviews' } }]),
      routeReviews('reviews-canary', [{ destination: { host: 'reviews' } }]),
    ],
  },
  {
    code: C.WEIGHT_SUM.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      routeReviews('reviews-vs', [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 30 },
        { destination: { host: 'reviews', subset: 'v2' }, weight: 30 },
      ]),
    ],
  },
  {
    code: C.WEIGHT_NEGATIVE.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      routeReviews('reviews-vs', [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 110 },
        { destination: { host: 'reviews', subset: 'v2' }, weight: -10 },
      ]),
    ],
  },
  {
    code: C.WEIGHT_ALL_ZERO.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      routeReviews('reviews-vs', [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 0 },
        { destination: { host: 'reviews', subset: 'v2' }, weight: 0 },
      ]),
    ],
  },
  {
    code: C.WEIGHT_SINGLE.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      routeReviews('reviews-vs', [{ destination: { host: 'reviews', subset: 'v1' }, weight: 50 }]),
    ],
  },
  {
    code: C.HOST_UNKNOWN.code,
    objects: [...REVIEWS, routeReviews('reviews-vs', [{ destination: { host: 'reveiws' } }])],
  },
  {
    code: C.PORT_UNKNOWN.code,
    objects: [...REVIEWS, routeReviews('reviews-vs', [{ destination: { host: 'reviews', port: { number: 9090 } } }])],
  },
  {
    code: C.PORT_REQUIRED.code,
    objects: [
      service('reviews', [
        { name: 'http', port: 9080 },
        { name: 'http-admin', port: 9081 },
      ]),
      deployment('reviews-v1', { app: 'reviews', version: 'v1' }),
      routeReviews('reviews-vs', [{ destination: { host: 'reviews' } }]),
    ],
  },
  {
    code: C.INGRESS_BYPASSES_SUBSETS.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      routeReviews('reviews-vs', [{ destination: { host: 'reviews', subset: 'v1' } }]),
      gateway('shop-gateway', ['shop.example.com']),
      virtualService('reviews-ingress', {
        hosts: ['shop.example.com'],
        gateways: ['shop-gateway'],
        http: [{ route: [{ destination: { host: 'reviews' } }] }],
      }),
    ],
  },
  {
    code: C.PORT_NAME_PROTOCOL.code,
    objects: [service('web', [{ name: 'web', port: 8080 }]), deployment('web-v1', { app: 'web', version: 'v1' })],
  },
  {
    code: C.APP_PROTOCOL.code,
    objects: [
      service('web', [{ name: 'api', port: 8080, appProtocol: 'soap' }]),
      deployment('web-v1', { app: 'web', version: 'v1' }),
    ],
  },
  {
    code: C.SERVICE_ENTRY_HOST_SERVICE.code,
    objects: [
      ...REVIEWS,
      at('reviews-se', {
        apiVersion: NETWORKING,
        kind: 'ServiceEntry',
        metadata: { name: 'reviews-external' },
        spec: {
          hosts: ['reviews.default.svc.cluster.local'],
          ports: [{ number: 9080, name: 'http', protocol: 'HTTP' }],
        },
      }),
    ],
  },
  {
    code: C.SERVICE_ENTRY_PORT_PROTOCOL.code,
    objects: [
      at('api-se', {
        apiVersion: NETWORKING,
        kind: 'ServiceEntry',
        metadata: { name: 'api' },
        // The address keeps BKI-SERVICE-ENTRY-ADDRESSES-REQUIRED (IST0134) out of this case.
        spec: {
          hosts: ['api.example.com'],
          addresses: ['240.0.0.10'],
          ports: [{ number: 8443, name: 'api' }],
          resolution: 'DNS',
        },
      }),
    ],
  },
  {
    code: C.WORKLOAD_LABELS.code,
    objects: [
      service('details'),
      deployment('details', { app: 'details' }),
      virtualService('details', { hosts: ['details'], http: [{ route: [{ destination: { host: 'details' } }] }] }),
    ],
  },
  {
    code: C.ROUTE_UNREACHABLE.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      virtualService('reviews-vs', {
        hosts: ['reviews'],
        http: [
          { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
          {
            match: [{ headers: { 'end-user': { exact: 'jason' } } }],
            route: [{ destination: { host: 'reviews', subset: 'v2' } }],
          },
        ],
      }),
    ],
  },
  {
    code: C.GATEWAY_CONFLICT.code,
    objects: [gateway('shop-gateway', ['shop.example.com']), gateway('shop-gateway-2', ['shop.example.com'])],
  },
  {
    code: C.OBJECT_DUPLICATE.code,
    objects: [
      at('settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } }),
      at('more-settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } }),
    ],
  },
  {
    code: C.MTLS_CONFLICT.code,
    objects: [
      ...REVIEWS,
      peerAuthentication('default', 'istio-system', 'STRICT'),
      destinationRule('reviews', { host: 'reviews', trafficPolicy: { tls: { mode: 'DISABLE' } } }),
    ],
  },
  {
    code: C.PEER_AUTHENTICATION_DUPLICATE.code,
    objects: [
      peerAuthentication('default', 'bookinfo', 'STRICT'),
      peerAuthentication('legacy', 'bookinfo', 'PERMISSIVE'),
    ],
  },
  {
    code: C.EXPOSURE_RISK.code,
    objects: [],
    options: {
      exposures: [
        {
          path: 'addons/kiali-exposure',
          kind: 'ExposedService',
          target: 'kiali.istio-system',
          hosts: ['kiali.example.com'],
          risk: 'Kiali runs with auth.strategy "anonymous": anyone who reaches it can view the mesh and change any Istio resource',
          tls: false,
          restricted: false,
          strict: false,
        },
      ],
    },
  },
  {
    code: C.API_VERSION_UNSERVED.code,
    objects: [peerAuthentication('default', 'istio-system', 'STRICT')],
    options: { istioRelease: IstioRelease.V1_17 },
  },
  {
    code: C.RELEASE_MISMATCH.code,
    objects: [],
    options: {
      istioRelease: IstioRelease.V1_30,
      releases: [{ path: 'addons/kiali', kind: 'Kiali', release: IstioRelease.V1_17 }],
    },
  },
  {
    code: C.ROUTE_PARENT_NOT_FOUND.code,
    objects: [G.service('productpage', { app: 'productpage' }), G.bookinfoRoute()],
  },
  {
    code: C.ROUTE_BACKEND_NOT_FOUND.code,
    objects: [G.bookinfoGateway(), G.bookinfoRoute()],
  },
  {
    code: C.ROUTE_BACKEND_NOT_PERMITTED.code,
    objects: [
      G.service('productpage', { app: 'productpage' }, { namespace: 'shop' }),
      G.bookinfoGateway(),
      G.httpRoute('bookinfo', {
        parentRefs: [{ name: 'bookinfo-gateway' }],
        rules: [{ backendRefs: [{ name: 'productpage', namespace: 'shop', port: 9080 }] }],
      }),
    ],
  },
  {
    code: C.ROUTE_HOSTNAME_MISMATCH.code,
    objects: [
      G.service('productpage', { app: 'productpage' }),
      G.gateway('bookinfo-gateway', {
        gatewayClassName: 'istio',
        listeners: [{ name: 'http', hostname: 'bookinfo.example.com', port: 80, protocol: 'HTTP' }],
      }),
      G.httpRoute('bookinfo', {
        parentRefs: [{ name: 'bookinfo-gateway' }],
        hostnames: ['shop.example.com'],
        rules: [{ backendRefs: [{ name: 'productpage', port: 9080 }] }],
      }),
    ],
  },
  {
    code: C.ROUTE_NOT_ALLOWED.code,
    objects: [
      G.service('productpage', { app: 'productpage' }),
      G.gateway(
        'bookinfo-gateway',
        {
          gatewayClassName: 'istio',
          listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }],
        },
        'istio-ingress',
      ),
      G.httpRoute('bookinfo', {
        parentRefs: [{ name: 'bookinfo-gateway', namespace: 'istio-ingress' }],
        rules: [{ backendRefs: [{ name: 'productpage', port: 9080 }] }],
      }),
    ],
  },
  {
    code: C.GATEWAY_CERT_NOT_PERMITTED.code,
    objects: [
      G.namespace('certs'),
      G.gateway('bookinfo-gateway', {
        gatewayClassName: 'istio',
        listeners: [
          {
            name: 'https',
            hostname: 'bookinfo.example.com',
            port: 443,
            protocol: 'HTTPS',
            tls: { mode: 'Terminate', certificateRefs: [{ name: 'bookinfo-cert', namespace: 'certs' }] },
          },
        ],
      }),
    ],
  },
  {
    code: C.AMBIENT_L7_NO_WAYPOINT.code,
    objects: [
      G.namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
      G.service('reviews', { app: 'reviews' }),
      routeReviews('reviews', [{ destination: { host: 'reviews' } }]),
    ],
  },
  {
    code: C.AMBIENT_L7_SELECTOR_POLICY.code,
    objects: [
      G.namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
      G.deployment('productpage-v1', { app: 'productpage', version: 'v1' }),
      G.authorizationPolicy('productpage-get', {
        selector: { matchLabels: { app: 'productpage' } },
        action: 'ALLOW',
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ],
  },
  {
    code: C.WAYPOINT_NOT_FOUND.code,
    objects: [G.namespace('default', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' })],
  },
  {
    code: C.WAYPOINT_IDENTITY_DENIED.code,
    objects: [
      G.namespace('default', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }),
      G.waypoint(),
      G.deployment('productpage-v1', { app: 'productpage', version: 'v1' }),
      G.productpageZtunnel(['cluster.local/ns/default/sa/bookinfo-gateway-istio']),
    ],
  },
  {
    code: C.AMBIENT_ROUTE_CONFLICT.code,
    objects: [
      G.namespace('default', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }),
      G.waypoint(),
      G.service('reviews', { app: 'reviews' }),
      G.service('reviews-v1', { app: 'reviews', version: 'v1' }),
      routeReviews('reviews', [{ destination: { host: 'reviews' } }]),
      G.httpRoute('reviews', {
        parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
        rules: [{ backendRefs: [{ name: 'reviews-v1', port: 9080 }] }],
      }),
    ],
  },
  {
    code: C.SIDECAR_AND_AMBIENT.code,
    objects: [
      G.namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
      G.deployment('ratings-v1', { app: 'ratings', version: 'v1', 'sidecar.istio.io/inject': 'true' }),
    ],
  },
  // Peer-semantics checks
  {
    code: C.MATCH_INEFFECTIVE.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      virtualService('reviews-vs', {
        hosts: ['reviews'],
        http: [
          {
            match: [{ headers: { 'end-user': { exact: 'jason' } } }],
            route: [{ destination: { host: 'reviews', subset: 'v2' } }],
          },
          {
            match: [{ headers: { 'end-user': { exact: 'jason' } } }, { uri: { prefix: '/beta' } }],
            route: [{ destination: { host: 'reviews', subset: 'v1' } }],
          },
        ],
      }),
    ],
  },
  {
    code: C.ACKNOWLEDGEMENT_INVALID.code,
    objects: [
      at('settings', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'settings',
          annotations: { 'analysis.cdk8s-istio-bookinfo.io/acknowledge': 'BKI-SUBSET-NO-PODS' },
        },
      }),
    ],
  },
  // Workload, annotation and TLS checks
  {
    code: C.NAMESPACE_NOT_INJECTED.code,
    objects: [
      at('shop-ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
      podTemplate('web-v1', { app: 'web', version: 'v1' }, { namespace: 'shop' }),
      peerAuthentication('default', 'shop', 'STRICT'),
    ],
  },
  {
    code: C.NAMESPACE_INJECTION_LABELS.code,
    objects: [
      at('shop-ns', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop', labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' } },
      }),
    ],
  },
  {
    code: C.ANNOTATION_UNKNOWN.code,
    objects: [
      at('web-svc', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', annotations: { 'networking.istio.io/exportToo': '.' } },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] },
      }),
      deployment('web-v1', { app: 'web', version: 'v1' }),
    ],
  },
  {
    code: C.ANNOTATION_MISPLACED.code,
    objects: [
      podTemplate('web-v1', { app: 'web', version: 'v1' }, { annotations: { 'sidecar.istio.io/proxyCPU': '100m' } }),
    ],
  },
  {
    code: C.ANNOTATION_INVALID.code,
    objects: [
      podTemplate(
        'web-v1',
        { app: 'web', version: 'v1' },
        { podAnnotations: { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8, 192.168.0.0/16' } },
      ),
    ],
  },
  {
    code: C.ANNOTATION_DEPRECATED.code,
    objects: [
      podTemplate('web-v1', { app: 'web', version: 'v1' }, { podAnnotations: { 'sidecar.istio.io/inject': 'true' } }),
    ],
  },
  {
    code: C.SERVICE_PORT_PROTOCOLS.code,
    objects: [
      service('dns', [{ name: 'tcp-dns', port: 5353, protocol: 'TCP' }]),
      at('dns-udp-svc', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'dns-udp' },
        spec: { selector: { app: 'dns' }, ports: [{ name: 'udp-dns', port: 5353, protocol: 'UDP' }] },
      }),
      deployment('dns-v1', { app: 'dns', version: 'v1' }),
    ],
  },
  {
    code: C.SERVICE_TARGET_PORT_CONFLICT.code,
    objects: [
      service('web', [{ name: 'http', port: 80, targetPort: 8080 }]),
      at('web-internal-svc', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web-internal' },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] },
      }),
      deployment('web-v1', { app: 'web', version: 'v1' }),
    ],
  },
  {
    code: C.SERVICE_TARGET_PORT_UNDECLARED.code,
    objects: [
      service('web', [{ name: 'http', port: 80, targetPort: 'http-web' }]),
      podTemplate('web-v1', { app: 'web', version: 'v1' }, { ports: [{ name: 'http', containerPort: 8080 }] }),
    ],
  },
  {
    code: C.WORKLOAD_NO_SERVICE.code,
    objects: [podTemplate('web-v1', { app: 'web', version: 'v1' }, { ports: [{ name: 'http', containerPort: 8080 }] })],
  },
  {
    code: C.DR_TLS_NO_CA.code,
    objects: [
      API_SERVICE_ENTRY,
      destinationRule('api-tls', { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE' } } }),
    ],
  },
  {
    code: C.DR_PORT_TLS_NO_CA.code,
    objects: [
      API_SERVICE_ENTRY,
      destinationRule('api-tls', {
        host: 'api.example.com',
        trafficPolicy: {
          portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE', sni: 'api.example.com' } }],
        },
      }),
    ],
  },
  {
    code: C.GATEWAY_PORT_NOT_ON_SERVICE.code,
    objects: [
      podTemplate('istio-ingressgateway', INGRESS_LABELS, { namespace: 'istio-system' }),
      at('ingress-svc', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
        spec: {
          selector: INGRESS_LABELS,
          ports: [
            { name: 'http2', port: 80, targetPort: 8080 },
            { name: 'https', port: 443, targetPort: 8443 },
          ],
        },
      }),
      at('shop-gateway', {
        apiVersion: NETWORKING,
        kind: 'Gateway',
        metadata: { name: 'shop-gateway' },
        spec: {
          selector: { istio: 'ingressgateway' },
          servers: [{ port: { number: 9090, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }],
        },
      }),
    ],
  },
  // mTLS, authorization, route and ServiceEntry checks
  {
    code: C.MTLS_POLICY_MISSING.code,
    objects: [destinationRule('mesh-mtls', { host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } })],
  },
  {
    code: C.MTLS_DESTINATION_RULE_MISSING.code,
    objects: [peerAuthentication('default', 'istio-system', 'STRICT')],
    options: { autoMtls: false },
  },
  {
    code: C.MTLS_DISABLE_CONFLICT.code,
    objects: [
      peerAuthentication('default', 'default', 'DISABLE'),
      destinationRule('default-mtls', {
        host: '*.default.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      }),
    ],
  },
  {
    code: C.AUTHZ_NO_WORKLOADS.code,
    objects: [
      ...REVIEWS,
      authorizationPolicy('ratings-viewer', 'default', { selector: { matchLabels: { app: 'ratings' } } }),
    ],
  },
  {
    code: C.AUTHZ_NAMESPACE_UNKNOWN.code,
    objects: [
      at('bookinfo-ns', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'bookinfo', labels: { 'istio-injection': 'enabled' } },
      }),
      authorizationPolicy('from-frontend', 'bookinfo', {
        action: 'ALLOW',
        rules: [{ from: [{ source: { namespaces: ['frontend'] } }] }],
      }),
    ],
  },
  {
    code: C.AUTHZ_PRINCIPAL_UNKNOWN.code,
    objects: [
      at('productpage-sa', {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'bookinfo-productpage', namespace: 'default' },
      }),
      authorizationPolicy('from-productpage', 'default', {
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-productpag'] } }] }],
      }),
    ],
  },
  {
    code: C.ROUTE_REPEATED_SUBSET.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      routeReviews('reviews-vs', [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 50 },
        { destination: { host: 'reviews', subset: 'v1' }, weight: 50 },
      ]),
    ],
  },
  {
    code: C.SUBSET_NO_LABELS.code,
    objects: [...REVIEWS, destinationRule('reviews', { host: 'reviews', subsets: [{ name: 'all' }] })],
  },
  {
    code: C.GATEWAY_LEGACY_NAME.code,
    objects: [
      ...REVIEWS,
      gateway('bookinfo-gateway', ['*']),
      virtualService('reviews-ingress', {
        hosts: ['*'],
        gateways: ['bookinfo-gateway.default'],
        http: [{ route: [{ destination: { host: 'reviews' } }] }],
      }),
    ],
  },
  {
    code: C.JWT_CLAIM_ROUTE_NO_AUTHN.code,
    objects: [
      ...REVIEWS,
      INGRESS_GATEWAY_POD,
      gateway('bookinfo-gateway', ['*']),
      virtualService('reviews-ingress', {
        hosts: ['*'],
        gateways: ['bookinfo-gateway'],
        http: [
          {
            match: [{ headers: { '@request.auth.claims.groups': { exact: 'testers' } } }],
            route: [{ destination: { host: 'reviews' } }],
          },
        ],
      }),
    ],
  },
  {
    code: C.SERVICE_ENTRY_ADDRESSES_REQUIRED.code,
    objects: [
      at('db-se', {
        apiVersion: NETWORKING,
        kind: 'ServiceEntry',
        metadata: { name: 'orders-db' },
        spec: {
          hosts: ['db.example.com'],
          ports: [{ number: 5432, name: 'tcp-postgres', protocol: 'TCP' }],
          resolution: 'DNS',
        },
      }),
    ],
  },
  {
    code: C.SERVICE_ENTRY_CONFLICT.code,
    objects: ['googleapis', 'googleapis-tls'].map((name) =>
      at(`${name}-se`, {
        apiVersion: NETWORKING,
        kind: 'ServiceEntry',
        metadata: { name },
        spec: {
          hosts: ['www.googleapis.com'],
          ports: [{ number: 443, name: 'https', protocol: name === 'googleapis' ? 'HTTPS' : 'TLS' }],
          resolution: 'DNS',
        },
      }),
    ),
  },
  {
    code: C.AUTHZ_METHOD_INVALID.code,
    objects: [
      authorizationPolicy('read-only', 'default', {
        action: 'ALLOW',
        rules: [{ to: [{ operation: { methods: ['GET', 'FETCH'] } }] }],
      }),
    ],
  },
  {
    code: C.VS_DELEGATE_NOT_FOUND.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      virtualService('reviews', { hosts: ['reviews'], http: [{ delegate: { name: 'reviews-v2' } }] }),
    ],
  },
  {
    code: C.VS_DELEGATE_UNUSED.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      virtualService('reviews-v2', { http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] }),
    ],
  },
  {
    code: C.VS_DELEGATE_MATCH_CONFLICT.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      virtualService('reviews', {
        hosts: ['reviews'],
        http: [{ match: [{ uri: { prefix: '/v2' } }], delegate: { name: 'reviews-v2' } }],
      }),
      virtualService('reviews-v2', {
        http: [{ match: [{ uri: { prefix: '/v3' } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }],
      }),
    ],
  },
  {
    code: C.MATCH_GATEWAY_UNBOUND.code,
    objects: [
      ...REVIEWS,
      REVIEWS_SUBSETS,
      gateway('edge', ['reviews.example.com']),
      virtualService('reviews', {
        hosts: ['reviews'],
        http: [
          { match: [{ gateways: ['edge'] }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
          { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
        ],
      }),
    ],
  },
  {
    code: C.SECURITY_SELECTOR_NO_WORKLOADS.code,
    objects: [
      ...REVIEWS,
      at('ratings-strict', {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'ratings-strict', namespace: 'default' },
        spec: { selector: { matchLabels: { app: 'ratings' } }, mtls: { mode: 'STRICT' } },
      }),
    ],
  },
  {
    code: C.PEER_AUTHENTICATION_PORT_NO_SELECTOR.code,
    objects: [
      at('bookinfo-mtls', {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'bookinfo' },
        spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { 9080: { mode: 'DISABLE' } } },
      }),
    ],
  },
  {
    code: C.PEER_AUTHENTICATION_SELECTOR_CONFLICT.code,
    objects: [
      ...REVIEWS,
      ...[{ app: 'reviews' }, { version: 'v2' }].map((labels, i) =>
        at(`reviews-mtls-${i}`, {
          apiVersion: 'security.istio.io/v1',
          kind: 'PeerAuthentication',
          metadata: { name: `reviews-${i}`, namespace: 'default' },
          spec: { selector: { matchLabels: labels }, mtls: { mode: i === 0 ? 'STRICT' : 'PERMISSIVE' } },
        }),
      ),
    ],
  },
  {
    code: C.SIDECAR_SELECTORLESS_DUPLICATE.code,
    objects: ['default', 'egress-only'].map((name) =>
      at(name, {
        apiVersion: NETWORKING,
        kind: 'Sidecar',
        metadata: { name, namespace: 'bookinfo' },
        spec: { egress: [{ hosts: ['./*'] }] },
      }),
    ),
  },
  {
    code: C.SIDECAR_SELECTOR_CONFLICT.code,
    objects: [
      ...REVIEWS,
      ...[{ app: 'reviews' }, { version: 'v1' }].map((labels, i) =>
        at(`sidecar-${i}`, {
          apiVersion: NETWORKING,
          kind: 'Sidecar',
          metadata: { name: `reviews-${i}` },
          spec: { workloadSelector: { labels }, egress: [{ hosts: ['./*'] }] },
        }),
      ),
    ],
  },
  {
    code: C.AUTHZ_JWT_NO_AUTHN.code,
    objects: [
      ...REVIEWS,
      authorizationPolicy('require-jwt', 'default', {
        selector: { matchLabels: { app: 'reviews' } },
        rules: [{ from: [{ source: { requestPrincipals: ['testing@secure.istio.io/testing@secure.istio.io'] } }] }],
      }),
    ],
  },
  {
    code: C.AUTHZ_HTTP_ON_TCP.code,
    objects: [
      service('mysqldb', [{ name: 'tcp-mysql', port: 3306 }]),
      deployment('mysqldb-v1', { app: 'mysqldb', version: 'v1' }),
      authorizationPolicy('mysql-readers', 'default', {
        selector: { matchLabels: { app: 'mysqldb' } },
        rules: [{ to: [{ operation: { methods: ['GET'], ports: ['3306'] } }] }],
      }),
    ],
  },
  {
    code: C.PROXY_PORT.code,
    objects: [
      at('legacy-se', {
        apiVersion: NETWORKING,
        kind: 'ServiceEntry',
        metadata: { name: 'legacy' },
        spec: {
          hosts: ['legacy.example.com'],
          ports: [{ number: 15001, name: 'http', protocol: 'HTTP' }],
          resolution: 'DNS',
        },
      }),
    ],
  },
  {
    code: C.ISTIOD_REJECTS.code,
    objects: [
      ...REVIEWS,
      virtualService('reviews', {
        hosts: ['reviews', 'reviews'],
        http: [{ route: [{ destination: { host: 'reviews' } }] }],
      }),
    ],
  },
  {
    code: C.FAULT_WITH_RETRIES.code,
    objects: [
      ...REVIEWS,
      virtualService('reviews', {
        hosts: ['reviews'],
        http: [
          {
            fault: { abort: { httpStatus: 503, percentage: { value: 10 } } },
            retries: { attempts: 3 },
            route: [{ destination: { host: 'reviews' } }],
          },
        ],
      }),
    ],
  },
  {
    code: C.PER_TRY_TIMEOUT_EXCEEDS_TIMEOUT.code,
    objects: [
      ...REVIEWS,
      virtualService('reviews', {
        hosts: ['reviews'],
        http: [
          {
            timeout: '2s',
            retries: { attempts: 3, perTryTimeout: '5s' },
            route: [{ destination: { host: 'reviews' } }],
          },
        ],
      }),
    ],
  },
  {
    code: C.MATCH_METHOD_CASE.code,
    objects: [
      ...REVIEWS,
      virtualService('reviews', {
        hosts: ['reviews'],
        http: [{ match: [{ method: { exact: 'get' } }], route: [{ destination: { host: 'reviews' } }] }],
      }),
    ],
  },
  {
    code: C.GATEWAY_SELECTOR_UNKNOWN.code,
    objects: [
      at('shop-gateway', {
        apiVersion: NETWORKING,
        kind: 'Gateway',
        metadata: { name: 'shop-gateway' },
        spec: {
          selector: { istio: 'ingress-gateway' },
          servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }],
        },
      }),
    ],
  },
  {
    code: C.TRACING_ZIPKIN_ELSEWHERE.code,
    objects: [
      at('zipkin-svc', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'zipkin', namespace: 'observability' },
        spec: { selector: { app: 'jaeger' }, ports: [{ name: 'http-query', port: 9411, targetPort: 9411 }] },
      }),
    ],
  },
  {
    code: C.SCHEMA_INVALID.code,
    objects: [
      ...REVIEWS,
      // `rewrit`: a misspelled `rewrite`, which the API server would drop without a word.
      virtualService('reviews', {
        hosts: ['reviews'],
        http: [{ rewrit: { uri: '/' }, route: [{ destination: { host: 'reviews' } }] }],
      }),
    ],
  },
  {
    code: C.OBJECT_TOO_LARGE.code,
    objects: [
      at('dashboards', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'dashboards' },
        data: { 'mesh.json': 'x'.repeat(262_144) },
      }),
    ],
  },
];

function authorizationPolicy(name: string, namespace: string, spec: any): AnalyzedObject {
  return at(name, {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace },
    spec,
  });
}
