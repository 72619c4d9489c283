import { IstioRelease } from '../core/istio-release';

/** How bad a {@link Finding} is. */
export enum Severity {
  /** The mesh will misroute or reject traffic: synthesis fails. */
  ERROR = 'error',
  /** Probably a mistake: printed once, or fails synthesis with `warningsAsErrors`. */
  WARNING = 'warning',
  /** Worth knowing (telemetry, conventions); only returned by `MeshAnalysis.analyze()`. */
  INFO = 'info',
}

/** How strictly route weights are checked. */
export enum WeightStrictness {
  /**
   * The weights of a route with several destinations add up to exactly 100, as Kiali's wizards
   * and every Istio sample require. Stricter than Istio itself.
   */
  SUM_TO_100 = 'sum-to-100',
  /** Istio's own rule (1.15+): weights are relative; none negative, and not all zero. */
  ISTIO = 'istio',
}

/** One problem the mesh analysis found in the synthesized objects. */
export interface Finding {
  /** The library's check code, e.g. `BKI-SUBSET-UNDEFINED`. */
  readonly code: string;
  /**
   * The Istio analyzer and/or Kiali validation codes this finding mirrors, e.g. `IST0101/KIA1107`:
   * the check's codes, or those that apply to this case; `library` where Istio and Kiali accept it.
   */
  readonly mirrors: string;
  /** How bad it is: the check's severity, or an error where the user asked for one (e.g. `strict`). */
  readonly severity: Severity;
  /** Construct path of the offending object, e.g. `app/routing/reviews/VirtualService`. */
  readonly path: string;
  /** Field path inside the offending manifest, e.g. `spec.http[0].route[1].destination.subset`. */
  readonly field: string;
  /** The offending value. */
  readonly value: unknown;
  /** Human-readable: names the object, its construct path, the value, the problem and what is expected. */
  readonly message: string;
  /**
   * The reason it was acknowledged, when an acknowledgement (`MeshAnalysis.configure({ acknowledgements })`,
   * or the {@link ACKNOWLEDGE_ANNOTATION} annotation on the object) covers it: such a finding fails
   * nothing and is not printed alone; synthesis prints one summary line for all of them.
   * @default not acknowledged
   */
  readonly acknowledged?: string;
}

/**
 * The annotation by which an object acknowledges findings on itself, for YAML the library did not
 * write too: `'<code>: <reason>; <code>: <reason>'`, e.g.
 * `'BKI-SUBSET-NO-PODS: v2 is deployed by the canary pipeline'`. Each code is a check code
 * (`BKI-...`) or a mirrored Istio/Kiali code (`IST0173`); each reason is required.
 */
export const ACKNOWLEDGE_ANNOTATION = 'analysis.cdk8s-istio-bookinfo.io/acknowledge';

/** The catalogue entry of a check: its code, what it mirrors, and its default severity. */
export interface CheckDefinition {
  /** The library's check code. */
  readonly code: string;
  /** Istio/Kiali codes it mirrors, `/`-separated; `library` (or the tool whose rule it is) when none. */
  readonly mirrors: string;
  /** Default severity of its findings. */
  readonly severity: Severity;
  /** One line: what the check enforces. */
  readonly summary: string;
}

/** Every check the analysis runs, keyed by code; `disabledChecks` accepts these codes (or the mirrored ones). */
export const MESH_CHECKS = {
  SUBSET_UNDEFINED: check(
    'BKI-SUBSET-UNDEFINED',
    'IST0101/KIA1107',
    Severity.ERROR,
    'a route or mirror destination subset is defined by a DestinationRule for that host',
  ),
  SUBSET_DUPLICATE: check(
    'BKI-SUBSET-DUPLICATE',
    'IST0106',
    Severity.ERROR,
    'subset names are unique within a DestinationRule',
  ),
  SUBSET_NAME: check(
    'BKI-SUBSET-NAME',
    'IST0106',
    Severity.ERROR,
    'subset names are DNS-1123 labels (no dots, at most 63 characters)',
  ),
  SUBSET_NO_PODS: check(
    'BKI-SUBSET-NO-PODS',
    'IST0173/KIA0203',
    Severity.WARNING,
    "a subset's labels, merged with the Service selector, select at least one pod template (labels `topology.kubernetes.io/*` and `topology.istio.io/*`, which Istio adds to endpoints from the Node, are not required on templates)",
  ),
  DR_DUPLICATE_HOST: check(
    'BKI-DR-DUPLICATE-HOST',
    'KIA0201',
    Severity.WARNING,
    'at most one DestinationRule per host among those visible to each other (same namespace, overlapping exportTo): KIA0201 when one of them has no subsets; with distinct subsets in each, library policy (mirrors `library`); reported on every rule of the host, each naming the others',
  ),
  DR_CONFLICT: check(
    'BKI-DR-CONFLICT',
    'KIA0201',
    Severity.ERROR,
    'DestinationRules for one host in one namespace (overlapping exportTo) neither redefine a subset nor both set a top-level trafficPolicy (Istio keeps only the first); reported on every rule involved, each naming the others',
  ),
  DR_HOST_UNKNOWN: check(
    'BKI-DR-HOST-UNKNOWN',
    'IST0174/KIA0202',
    Severity.WARNING,
    'a DestinationRule host is a Service or a ServiceEntry host visible to its namespace (exportTo)',
  ),
  GATEWAY_NOT_FOUND: check(
    'BKI-GATEWAY-NOT-FOUND',
    'IST0101/KIA1102',
    Severity.ERROR,
    'every VirtualService gateway other than `mesh` exists: an Istio Gateway, or (as Istio accepts it) a Gateway API Gateway of that namespace/name',
  ),
  GATEWAY_HOST_MISMATCH: check(
    'BKI-GATEWAY-HOST-MISMATCH',
    'IST0132',
    Severity.ERROR,
    'at least one VirtualService host is served by each Gateway it is bound to',
  ),
  HOST_CONFLICT: check(
    'BKI-HOST-CONFLICT',
    'IST0109/KIA1106',
    Severity.ERROR,
    'at most one VirtualService claims a host on a gateway (KIA1106) or on the mesh (IST0109/KIA1106), among VirtualServices whose exportTo overlap; hosts compared case-insensitively with wildcards as Istio matches them (`*.ns.svc.cluster.local` covers `reviews` in ns; a dotted host such as `reviews.ns` is taken as written, as Istio does, where Kiali would expand it); reported on every VirtualService involved, each naming the others',
  ),
  WEIGHT_SUM: check(
    'BKI-WEIGHT-SUM',
    'library',
    Severity.ERROR,
    "weights of a multi-destination route (VirtualService destinations, HTTPRoute/GRPCRoute backendRefs) add up to 100 (WeightStrictness.SUM_TO_100): library policy, as Kiali's wizards require; no current Istio or Kiali validation asks for it",
  ),
  WEIGHT_NEGATIVE: check('BKI-WEIGHT-NEGATIVE', 'IST0106', Severity.ERROR, 'route weights are not negative'),
  WEIGHT_ALL_ZERO: check(
    'BKI-WEIGHT-ALL-ZERO',
    'IST0106',
    Severity.ERROR,
    'a multi-destination VirtualService route, or the backendRefs of an HTTPRoute/GRPCRoute rule (weight 1 when unset), has a non-zero total weight',
  ),
  WEIGHT_SINGLE: check(
    'BKI-WEIGHT-SINGLE',
    'KIA1104',
    Severity.WARNING,
    'a single destination carries no weight other than 100 (Istio assumes 100)',
  ),
  HOST_UNKNOWN: check(
    'BKI-HOST-UNKNOWN',
    'IST0101/KIA1101',
    Severity.ERROR,
    'a cluster-local destination host is a Service of the app or a ServiceEntry host, visible (exportTo) to the VirtualService',
  ),
  PORT_UNKNOWN: check('BKI-PORT-UNKNOWN', 'IST0101', Severity.ERROR, 'a destination port is a port of that Service'),
  PORT_REQUIRED: check(
    'BKI-PORT-REQUIRED',
    'IST0112',
    Severity.ERROR,
    'a destination to a Service with several ports names the port',
  ),
  INGRESS_BYPASSES_SUBSETS: check(
    'BKI-INGRESS-BYPASSES-SUBSETS',
    'IST0140',
    Severity.WARNING,
    'a gateway-bound route to a host that the mesh splits by subset uses subsets too',
  ),
  PORT_NAME_PROTOCOL: check(
    'BKI-PORT-NAME-PROTOCOL',
    'IST0118/KIA0601',
    Severity.WARNING,
    'Service port names are `<protocol>[-suffix]` with a known protocol, unless the port sets appProtocol (Istio-generated waypoint Services, labelled `gateway.istio.io/managed` or with an `hbone` port, are skipped)',
  ),
  APP_PROTOCOL: check(
    'BKI-APP-PROTOCOL',
    'IST0118/KIA0602',
    Severity.WARNING,
    'a Service port appProtocol is a protocol Istio knows',
  ),
  SERVICE_ENTRY_HOST_SERVICE: check(
    'BKI-SERVICE-ENTRY-HOST-SERVICE',
    'library',
    Severity.WARNING,
    "a ServiceEntry host is not a Kubernetes Service's host (Istio would take the entry as a decorator of the Service and ignore its ports, endpoints and resolution)",
  ),
  SERVICE_ENTRY_PORT_PROTOCOL: check(
    'BKI-SERVICE-ENTRY-PORT-PROTOCOL',
    'library',
    Severity.WARNING,
    'ServiceEntry ports declare their protocol (without it Istio cannot route the port as HTTP)',
  ),
  WORKLOAD_LABELS: check(
    'BKI-WORKLOAD-LABELS',
    'istioctl validate',
    Severity.INFO,
    'pod templates behind a routed Service carry `app` and `version` labels (or their app.kubernetes.io / canonical equivalents)',
  ),
  ROUTE_UNREACHABLE: check(
    'BKI-ROUTE-UNREACHABLE',
    'IST0130',
    Severity.WARNING,
    'every HTTP, TCP and TLS rule can be used (IST0130): none follows a rule without a match, and not all of its matches repeat matches of earlier rules',
  ),
  GATEWAY_CONFLICT: check(
    'BKI-GATEWAY-CONFLICT',
    'IST0145/KIA0301',
    Severity.ERROR,
    'no two Gateways selecting the same ingress workload (equal selectors, or selectors that select a common pod of the analysis) serve the same host on the same port (and bind); hosts compared case-insensitively within their namespace scope (`ns/host`, `./host`, `*/host`), duplicates inside one Gateway included; a wildcard beside a specific host is not a conflict, as in Istio (Kiali flags it unless `skip_wildcard_gateway_hosts`); reported on every Gateway involved, each naming the others',
  ),
  OBJECT_DUPLICATE: check(
    'BKI-OBJECT-DUPLICATE',
    'kubectl-apply',
    Severity.ERROR,
    'no two objects share API group, kind, namespace and name (the later would silently replace the earlier)',
  ),
  MTLS_CONFLICT: check(
    'BKI-MTLS-CONFLICT',
    'KIA0207/KIA0208',
    Severity.ERROR,
    'no DestinationRule sends DISABLE, SIMPLE or MUTUAL client TLS to a host whose sidecars a STRICT PeerAuthentication (namespace-wide, or mesh-wide in the root namespace) makes accept only mesh mTLS',
  ),
  PEER_AUTHENTICATION_DUPLICATE: check(
    'BKI-PEER-AUTHENTICATION-DUPLICATE',
    'KIA0002',
    Severity.ERROR,
    'at most one namespace-wide (selector-less) PeerAuthentication per namespace (Istio applies only the oldest)',
  ),
  EXPOSURE_RISK: check(
    'BKI-EXPOSURE-RISK',
    'library',
    Severity.WARNING,
    "a target that declares an exposure risk (e.g. anonymous Kiali or Grafana) is published with TLS and an access restriction; an error with the exposing construct's `strict`",
  ),
  API_VERSION_UNSERVED: check(
    'BKI-API-VERSION-UNSERVED',
    'kubectl-apply',
    Severity.ERROR,
    'every Istio object uses an API version that the target Istio release serves for its kind (kubectl apply fails with "no matches for kind" otherwise)',
  ),
  RELEASE_MISMATCH: check(
    'BKI-RELEASE-MISMATCH',
    'library',
    Severity.ERROR,
    "every construct targets the mesh's Istio release: addons, images and API versions of another release are not supported on it (Kiali supports only matching Istio versions)",
  ),
  ROUTE_PARENT_NOT_FOUND: check(
    'BKI-ROUTE-PARENT-NOT-FOUND',
    'KIA1401',
    Severity.ERROR,
    'every HTTPRoute/GRPCRoute parentRef names an existing Gateway API Gateway (with a listener of that sectionName/port) or Service (with that port), when its namespace is analyzed',
  ),
  ROUTE_BACKEND_NOT_FOUND: check(
    'BKI-ROUTE-BACKEND-NOT-FOUND',
    'KIA1402',
    Severity.ERROR,
    'every HTTPRoute/GRPCRoute backendRef names an existing Service and one of its ports, when its namespace is analyzed',
  ),
  ROUTE_BACKEND_NOT_PERMITTED: check(
    'BKI-ROUTE-BACKEND-NOT-PERMITTED',
    'KIA1402',
    Severity.ERROR,
    'a backendRef to a Service in another namespace is allowed by a ReferenceGrant in that namespace (else the Gateway API refuses it: RefNotPermitted)',
  ),
  ROUTE_HOSTNAME_MISMATCH: check(
    'BKI-ROUTE-HOSTNAME-MISMATCH',
    'library',
    Severity.ERROR,
    'the hostnames of a route bound to a Gateway intersect the hostname of at least one listener it binds to (Gateway API wildcard rules)',
  ),
  ROUTE_NOT_ALLOWED: check(
    'BKI-ROUTE-NOT-ALLOWED',
    'library',
    Severity.ERROR,
    "a route's namespace is admitted by the allowedRoutes (Same, All, Selector) of at least one listener it binds to",
  ),
  GATEWAY_CERT_NOT_PERMITTED: check(
    'BKI-GATEWAY-CERT-NOT-PERMITTED',
    'library',
    Severity.ERROR,
    'a Gateway API listener certificateRef to a Secret in another namespace is allowed by a ReferenceGrant in that namespace',
  ),
  AMBIENT_L7_NO_WAYPOINT: check(
    'BKI-AMBIENT-L7-NO-WAYPOINT',
    'KIA1109/KIA1113/KIA0109',
    Severity.WARNING,
    'L7 rules (a mesh VirtualService, an HTTPRoute/GRPCRoute with a Service parentRef, an L7 AuthorizationPolicy targeting a Service) in ambient mode apply to a Service that a waypoint serves (istio.io/use-waypoint on the Service, its namespace or its pods): ztunnel enforces only L4',
  ),
  AMBIENT_L7_SELECTOR_POLICY: check(
    'BKI-AMBIENT-L7-SELECTOR-POLICY',
    'KIA0110',
    Severity.ERROR,
    'an AuthorizationPolicy enforced by ztunnel (selector or namespace-wide, no targetRefs) in ambient mode has no L7 fields (methods, paths, hosts, request principals, request.* conditions): ztunnel cannot evaluate them and denies the traffic',
  ),
  WAYPOINT_NOT_FOUND: check(
    'BKI-WAYPOINT-NOT-FOUND',
    'KIA1313',
    Severity.ERROR,
    '`istio.io/use-waypoint` on a Namespace, Service or pod names a Gateway of class istio-waypoint that exists (in `istio.io/use-waypoint-namespace`, default the same namespace), when that namespace is analyzed',
  ),
  WAYPOINT_IDENTITY_DENIED: check(
    'BKI-WAYPOINT-IDENTITY-DENIED',
    'library',
    Severity.ERROR,
    "a ztunnel ALLOW AuthorizationPolicy on workloads behind a waypoint allows the waypoint's identity (`<trust domain>/ns/<ns>/sa/<waypoint>`), through which all their traffic now arrives",
  ),
  AMBIENT_ROUTE_CONFLICT: check(
    'BKI-AMBIENT-ROUTE-CONFLICT',
    'library',
    Severity.ERROR,
    'in ambient mode a Service is routed either by mesh VirtualServices or by Gateway API routes with a Service parentRef, not both (the waypoint applies only one kind)',
  ),
  SIDECAR_AND_AMBIENT: check(
    'BKI-SIDECAR-AND-AMBIENT',
    'IST0123/KIA1311',
    Severity.WARNING,
    'no pod is both sidecar-injected (`sidecar.istio.io/inject: "true"` or an `istio-injection=enabled` namespace) and in ambient mode (`istio.io/dataplane-mode=ambient` on it or its namespace); Istio then uses the sidecar',
  ),
  // Peer-semantics checks
  MATCH_INEFFECTIVE: check(
    'BKI-MATCH-INEFFECTIVE',
    'IST0131',
    Severity.WARNING,
    'no match of an HTTP, TCP or TLS rule repeats a match of an earlier rule, and no HTTP uri prefix match is covered by an earlier one with the same other conditions (Istio IST0131)',
  ),
  ACKNOWLEDGEMENT_INVALID: check(
    'BKI-ACKNOWLEDGEMENT-INVALID',
    'library',
    Severity.ERROR,
    'every entry of an `analysis.cdk8s-istio-bookinfo.io/acknowledge` annotation is `<known check code>: <non-empty reason>`',
  ),
  // Workload, annotation and TLS checks
  NAMESPACE_NOT_INJECTED: check(
    'BKI-NAMESPACE-NOT-INJECTED',
    'IST0102',
    Severity.INFO,
    'a Namespace of the analysis holding pod templates that make no injection choice of their own is labelled `istio-injection` (enabled or disabled) or `istio.io/rev`, or is in ambient mode (judged when the app configures the sidecar mesh)',
  ),
  NAMESPACE_INJECTION_LABELS: check(
    'BKI-NAMESPACE-INJECTION-LABELS',
    'IST0123',
    Severity.WARNING,
    'a Namespace carries one kind of injection label only: not `istio-injection=enabled` with `istio.io/rev`, nor either with `istio.io/dataplane-mode`',
  ),
  ANNOTATION_UNKNOWN: check(
    'BKI-ANNOTATION-UNKNOWN',
    'IST0108',
    Severity.WARNING,
    'every `*istio.io/*` annotation on a Namespace, Service, pod (template) or workload is one Istio 1.30 knows',
  ),
  ANNOTATION_MISPLACED: check(
    'BKI-ANNOTATION-MISPLACED',
    'IST0107',
    Severity.WARNING,
    'an Istio annotation sits on a kind Istio reads it from (pod annotations on the pod template, not on the Deployment or its Service)',
  ),
  ANNOTATION_INVALID: check(
    'BKI-ANNOTATION-INVALID',
    'IST0125',
    Severity.WARNING,
    'an Istio pod annotation whose value the sidecar injector validates (ports, CIDRs, interfaces, integers, booleans, quantities, interception mode, proxy config) has a valid value',
  ),
  ANNOTATION_DEPRECATED: check(
    'BKI-ANNOTATION-DEPRECATED',
    'IST0135',
    Severity.INFO,
    'no deprecated Istio annotation is used (e.g. the `sidecar.istio.io/inject` annotation instead of the label)',
  ),
  SERVICE_PORT_PROTOCOLS: check(
    'BKI-SERVICE-PORT-PROTOCOLS',
    'IST0116',
    Severity.WARNING,
    'the Services selecting one meshed pod template do not use one port number with different protocols (TCP, UDP, SCTP)',
  ),
  SERVICE_TARGET_PORT_CONFLICT: check(
    'BKI-SERVICE-TARGET-PORT-CONFLICT',
    'IST0137',
    Severity.WARNING,
    'the Services selecting one meshed pod template send one targetPort through one port number only',
  ),
  SERVICE_TARGET_PORT_UNDECLARED: check(
    'BKI-SERVICE-TARGET-PORT-UNDECLARED',
    'KIA0701',
    Severity.WARNING,
    'a named Service targetPort is the name of a container port of every pod template the Service selects (else Kubernetes gives those pods no endpoint); Kiali also flags undeclared numbers, which Kubernetes routes anyway',
  ),
  WORKLOAD_NO_SERVICE: check(
    'BKI-WORKLOAD-NO-SERVICE',
    'IST0117',
    Severity.INFO,
    'a meshed pod template that declares container ports is selected by a Service (IST0117, retired in Istio 1.20 for its false positives on clients and jobs, which declare none)',
  ),
  DR_TLS_NO_CA: check(
    'BKI-DR-TLS-NO-CA',
    'IST0128',
    Severity.WARNING,
    "a DestinationRule's top-level SIMPLE or MUTUAL client TLS sets `caCertificates` (or `credentialName` with a `workloadSelector`), so the server certificate is checked against a CA of your choice",
  ),
  DR_PORT_TLS_NO_CA: check(
    'BKI-DR-PORT-TLS-NO-CA',
    'IST0129',
    Severity.WARNING,
    "a DestinationRule's port-level SIMPLE or MUTUAL client TLS sets `caCertificates` (or `credentialName` with a `workloadSelector`)",
  ),
  GATEWAY_PORT_NOT_ON_SERVICE: check(
    'BKI-GATEWAY-PORT-NOT-ON-SERVICE',
    'IST0162',
    Severity.WARNING,
    "every Gateway server port is a port or targetPort of a TCP Service selecting the gateway pods, when those pods and a Service for them are in the analysis, or else when the Gateway selects an install a construct declares whole (`IngressGateway.ISTIOCTL`, `ISTIOCTL_EGRESS`, `HELM` and their variants: their Services as Istio's install charts define them)",
  ),
  // mTLS, authorization, route and ServiceEntry checks
  MTLS_POLICY_MISSING: check(
    'BKI-MTLS-POLICY-MISSING',
    'KIA0205/KIA0206',
    Severity.ERROR,
    'a DestinationRule that turns on ISTIO_MUTUAL mesh-wide (host `*.local`) comes with a mesh-wide PeerAuthentication in STRICT or PERMISSIVE mode (KIA0205); one for a whole namespace (host `*.<ns>.svc.<domain>`) with such a PeerAuthentication in that namespace or mesh-wide, unless auto mTLS is on (KIA0206)',
  ),
  MTLS_DESTINATION_RULE_MISSING: check(
    'BKI-MTLS-DESTINATION-RULE-MISSING',
    'KIA0401/KIA0501',
    Severity.ERROR,
    'with auto mTLS off (`autoMtls: false`), a STRICT mesh-wide PeerAuthentication comes with a `*.local` DestinationRule setting ISTIO_MUTUAL (KIA0401), and a STRICT namespace-wide one with an ISTIO_MUTUAL DestinationRule for its namespace (`*.<ns>.svc.<domain>`) or the mesh (KIA0501)',
  ),
  MTLS_DISABLE_CONFLICT: check(
    'BKI-MTLS-DISABLE-CONFLICT',
    'KIA0505/KIA0506',
    Severity.ERROR,
    'no DestinationRule for a whole namespace (or, unless one for the namespace sets DISABLE, for the mesh) sends ISTIO_MUTUAL or MUTUAL to a namespace whose namespace-wide PeerAuthentication sets DISABLE (KIA0505), and no `*.local` one to a mesh whose mesh-wide PeerAuthentication sets DISABLE (KIA0506)',
  ),
  AUTHZ_NO_WORKLOADS: check(
    'BKI-AUTHZ-NO-WORKLOADS',
    'IST0127',
    Severity.WARNING,
    "an AuthorizationPolicy's selector matches a pod template in its namespace (in any namespace for the root namespace), when the manifests hold pod templates there, unless it selects the workload of a Gateway (installed outside the manifests)",
  ),
  AUTHZ_NAMESPACE_UNKNOWN: check(
    'BKI-AUTHZ-NAMESPACE-UNKNOWN',
    'IST0101/KIA0101',
    Severity.WARNING,
    'when the manifests declare Namespaces, every `from.source.namespaces` (KIA0101/IST0101) and `notNamespaces` (IST0101) entry of an AuthorizationPolicy matches a namespace of the manifests or a Kubernetes or Istio system namespace',
  ),
  AUTHZ_PRINCIPAL_UNKNOWN: check(
    'BKI-AUTHZ-PRINCIPAL-UNKNOWN',
    'KIA0106',
    Severity.ERROR,
    'an AuthorizationPolicy principal `<trust domain>/ns/<ns>/sa/<name>` (or `serviceAccounts` entry `<ns>/<name>`) names a ServiceAccount of the manifests, when they hold ServiceAccounts of that namespace (`default` and the accounts Istio creates for Gateway API gateways count)',
  ),
  ROUTE_REPEATED_SUBSET: check(
    'BKI-ROUTE-REPEATED-SUBSET',
    'KIA1105',
    Severity.WARNING,
    'the destinations of one http/tcp/tls route name each host+subset (+port) combination once',
  ),
  SUBSET_NO_LABELS: check(
    'BKI-SUBSET-NO-LABELS',
    'KIA0209',
    Severity.WARNING,
    'every DestinationRule subset has labels (one without them stands for every pod of the host); an info when another subset of the rule has labels',
  ),
  GATEWAY_LEGACY_NAME: check(
    'BKI-GATEWAY-LEGACY-NAME',
    'KIA1108',
    Severity.INFO,
    'VirtualService gateways are written `<namespace>/<name>`, not in the legacy dotted form (`name.namespace`)',
  ),
  JWT_CLAIM_ROUTE_NO_AUTHN: check(
    'BKI-JWT-CLAIM-ROUTE-NO-AUTHN',
    'IST0149',
    Severity.ERROR,
    'a VirtualService that matches on `@request.auth.claims.*` headers is bound only to Gateways whose workloads (when the manifests hold them) a RequestAuthentication in their namespace or the root namespace selects',
  ),
  SERVICE_ENTRY_ADDRESSES_REQUIRED: check(
    'BKI-SERVICE-ENTRY-ADDRESSES-REQUIRED',
    'IST0134',
    Severity.WARNING,
    'a ServiceEntry without addresses has no port of protocol TCP or unset (without an address Istio cannot tell its TCP traffic apart from other services on the port)',
  ),
  SERVICE_ENTRY_CONFLICT: check(
    'BKI-SERVICE-ENTRY-CONFLICT',
    'KIA1211/KIA1212/IST0177',
    Severity.WARNING,
    'no two ServiceEntries declare the same host and port number (KIA1211; KIA1212 when their protocols differ, and IST0177 when some namespace sees both under exportTo), nor the same address and port under different hosts (library rule)',
  ),
  AUTHZ_METHOD_INVALID: check(
    'BKI-AUTHZ-METHOD-INVALID',
    'KIA0102',
    Severity.WARNING,
    'AuthorizationPolicy `to.operation.methods` (KIA0102) and `notMethods` are upper-case HTTP methods, fully qualified gRPC methods (`/package.Service/Method`) or `*` patterns (Istio compares them exactly)',
  ),
  VS_DELEGATE_NOT_FOUND: check(
    'BKI-VS-DELEGATE-NOT-FOUND',
    'library',
    Severity.ERROR,
    "a VirtualService route `delegate` names a VirtualService of the app without hosts and exported to the root's namespace (istiod otherwise drops the route with a log line only)",
  ),
  VS_DELEGATE_UNUSED: check(
    'BKI-VS-DELEGATE-UNUSED',
    'library',
    Severity.WARNING,
    'a VirtualService without hosts (a delegate) is delegated to by some route of the app (else its routes apply nowhere)',
  ),
  MATCH_GATEWAY_UNBOUND: check(
    'BKI-MATCH-GATEWAY-UNBOUND',
    'library',
    Severity.WARNING,
    "a route condition's `gateways` are among its VirtualService's `gateways` (the mesh when none): istiod gives a VirtualService only to those, so a condition on another gateway never matches",
  ),
  VS_DELEGATE_MATCH_CONFLICT: check(
    'BKI-VS-DELEGATE-MATCH-CONFLICT',
    'library',
    Severity.WARNING,
    'each route of a delegate VirtualService has a condition that fits within a condition of the route delegating to it (else istiod drops the route there, as pilot merges them)',
  ),
  SECURITY_SELECTOR_NO_WORKLOADS: check(
    'BKI-SECURITY-SELECTOR-NO-WORKLOADS',
    'KIA0004/IST0101',
    Severity.WARNING,
    "a PeerAuthentication's or RequestAuthentication's selector, or a Sidecar's workloadSelector, matches a pod template in its namespace (in any namespace for the root namespace's policies), when the manifests hold pod templates there, unless it selects the workload of a Gateway",
  ),
  PEER_AUTHENTICATION_PORT_NO_SELECTOR: check(
    'BKI-PEER-AUTHENTICATION-PORT-NO-SELECTOR',
    'istioctl validate',
    Severity.ERROR,
    'a PeerAuthentication sets `portLevelMtls` only with a selector, and not as an empty map (istiod refuses both)',
  ),
  PEER_AUTHENTICATION_SELECTOR_CONFLICT: check(
    'BKI-PEER-AUTHENTICATION-SELECTOR-CONFLICT',
    'KIA0003',
    Severity.WARNING,
    'no two PeerAuthentications of a namespace select the same pod template with their selectors (Istio applies the oldest)',
  ),
  SIDECAR_SELECTORLESS_DUPLICATE: check(
    'BKI-SIDECAR-SELECTORLESS-DUPLICATE',
    'IST0111/KIA0002',
    Severity.ERROR,
    'a namespace has at most one Sidecar without a workloadSelector',
  ),
  SIDECAR_SELECTOR_CONFLICT: check(
    'BKI-SIDECAR-SELECTOR-CONFLICT',
    'IST0110/KIA0003',
    Severity.ERROR,
    'no two Sidecars of a namespace select the same pod template with their workloadSelectors',
  ),
  AUTHZ_JWT_NO_AUTHN: check(
    'BKI-AUTHZ-JWT-NO-AUTHN',
    'library',
    Severity.WARNING,
    'an AuthorizationPolicy matching on JWT data (`requestPrincipals`, `notRequestPrincipals`, `request.auth.*` conditions) applies to workloads a RequestAuthentication covers (same selector or targetRefs, or namespace- or mesh-wide)',
  ),
  AUTHZ_HTTP_ON_TCP: check(
    'BKI-AUTHZ-HTTP-ON-TCP',
    'istioctl validate/library',
    Severity.WARNING,
    'an AuthorizationPolicy rule with HTTP-only fields (methods, paths, hosts, request principals, `request.*` conditions) does not select only workloads whose Services declare non-HTTP ports (TCP, TLS, Mongo, Redis, MySQL, UDP): there an ALLOW rule is left out, and a DENY rule denies every connection (istiod warns of the latter)',
  ),
  PROXY_PORT: check(
    'BKI-PROXY-PORT',
    'library',
    Severity.WARNING,
    'an Istio Gateway server, ServiceEntry port or Sidecar listener does not use a port the proxy listens on itself (15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053, 15090): istiod accepts them, but skips a listener on 15001, 15006, 15021 or 15090 with only a log line ("conflicts with static listener"), and Envoy cannot bind the others; Services and pods are not judged, as Istio\'s own gateway installs declare these ports',
  ),
  ISTIOD_REJECTS: check(
    'BKI-ISTIOD-REJECTS',
    'istioctl validate',
    Severity.ERROR,
    "plain YAML passes these rules of istiod's validating webhook (pkg/config/validation) and the CRDs' CEL: a VirtualService has no duplicate or wildcard-overlapping hosts (also compared without regard to case, which istiod does not), and no `*` host or `@request.auth.claims` match when bound to the mesh (no gateways, `mesh` among them, or a delegate); a ServiceEntry has CIDR addresses only with NONE or STATIC resolution, and several hosts only on HTTP or TLS ports (or NONE); VirtualService and DestinationRule Duration fields are Go durations of whole milliseconds from 1 ms to about 292 years. The library's constructs refuse these at construction",
  ),
  // Semantic traps: accepted by istiod, but not what the user meant
  FAULT_WITH_RETRIES: check(
    'BKI-FAULT-WITH-RETRIES',
    'library',
    Severity.WARNING,
    "an HTTP route with `fault` sets no `retries` (attempts > 0) and no `timeout`: Istio documents that timeouts and retries are not enabled when faults are (Envoy's fault filter acts before the router: injected aborts are not retried, injected delays not cut by the timeout); istiod and istioctl accept it silently",
  ),
  PER_TRY_TIMEOUT_EXCEEDS_TIMEOUT: check(
    'BKI-PER-TRY-TIMEOUT-EXCEEDS-TIMEOUT',
    'library',
    Severity.WARNING,
    "an HTTP route's `retries.perTryTimeout` (with attempts > 0) is not longer than its `timeout` (equal is fine): Envoy's route timeout bounds the whole request, every try included, so a longer per-try timeout never applies and a slow try is never retried; istiod accepts it",
  ),
  MATCH_METHOD_CASE: check(
    'BKI-MATCH-METHOD-CASE',
    'library',
    Severity.WARNING,
    'a VirtualService match `method` (exact, prefix, or regex outside escapes, classes and `(?i)`) has no lower-case letters: HTTP methods are case-sensitive and Envoy matches `:method` as written, so `get` never matches GET (AuthorizationPolicy methods: BKI-AUTHZ-METHOD-INVALID; a Gateway API HTTPRoute method is an upper-case enum of its schema)',
  ),
  GATEWAY_SELECTOR_UNKNOWN: check(
    'BKI-GATEWAY-SELECTOR-UNKNOWN',
    'IST0101/KIA0302',
    Severity.WARNING,
    "an Istio Gateway's selector matches a pod template of the manifests (any namespace), the pods of a default gateway install (`istio: ingressgateway`, `istio: egressgateway`, the Helm chart's `istio: ingress`), an `IngressGateway` a construct selects, or the pods Istio deploys for a Gateway API Gateway of the manifests; istioctl and Kiali look at the live cluster's pods instead, so a gateway installed apart under other labels is reported here (acknowledge it)",
  ),
  TRACING_ZIPKIN_ELSEWHERE: check(
    'BKI-TRACING-ZIPKIN-ELSEWHERE',
    'library',
    Severity.WARNING,
    "a Zipkin collector (a Service `zipkin`, or a Jaeger or Zipkin pod template) outside Istio's (root) namespace comes with a Service `zipkin` in that namespace: Istio's tracing sends spans to `zipkin.istio-system:9411` (the default tracer up to Istio 1.21, the zipkin extension provider of Istio's tracing tasks since), so spans reach the moved collector only if the mesh config names it, which the manifests do not show (acknowledge it when yours does)",
  ),
  SCHEMA_INVALID: check(
    'BKI-SCHEMA-INVALID',
    'kubectl-apply',
    Severity.ERROR,
    "every object of a known kind (each version of the imported Istio and Gateway API CRDs; the Kubernetes kinds the library emits, from kubernetes-models' types) fits its schema as the API server checks it: no undeclared field (the API server drops it silently, or refuses it under strict field validation), types, required fields, enums, lengths in code points, ranges, int32/int64, RE2 patterns, oneOf/anyOf, set and map list keys; the CEL rules (x-kubernetes-validations), other formats and the Go validation of built-in kinds are not checked here",
  ),
  OBJECT_TOO_LARGE: check(
    'BKI-OBJECT-TOO-LARGE',
    'kubectl-apply',
    Severity.ERROR,
    "an object's annotations, with the last-applied-configuration copy of the object that client-side `kubectl apply` adds, stay within the API server's 262144-byte limit for all annotations (about 2,100 routes of one VirtualService exceed it); `kubectl apply --server-side` has no such copy",
  ),
} as const;

/** A construct of the library and the Istio release it emits objects for (BKI-RELEASE-MISMATCH). */
export interface ReleaseFact {
  /** The construct's path. */
  readonly path: string;
  /** The construct's class, e.g. `Kiali`. */
  readonly kind: string;
  /** The release the construct targets. */
  readonly release: IstioRelease;
}

function check(code: string, mirrors: string, severity: Severity, summary: string): CheckDefinition {
  return { code, mirrors, severity, summary };
}

/** Renders a value the way the messages quote it: strings in quotes, objects as JSON. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The validation error line for a finding: `<code> <field>: <message>`. */
export function formatFinding(finding: Finding): string {
  return `${finding.code} ${finding.field}: ${finding.message}`;
}
