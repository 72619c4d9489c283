// The public API of cdk8s-istio-bookinfo, named one by one: anything not listed here is internal,
// including the validation and rendering helpers behind these constructs. Grouped by layer, lowest first.

// Core: the contracts constructs refer to each other by, input errors, and all-or-nothing synthesis.
export type { AtomicSynthProps, AtomicSynthResult } from './core/atomic-synth';
export { synthAtomically } from './core/atomic-synth';
export { DataplaneMode } from './core/dataplane-mode';
export type { ExposureFact, IExposureRisk } from './core/exposure-risk';
export type { IGateway, IKubernetesGateway } from './core/gateway';
export type { GatewayServicePort, GatewayWorkloadFact } from './core/gateway-workload';
export { InvalidInputError } from './core/input-validation';
export type { IstioReleaseMinor } from './core/istio-release';
export { IstioRelease } from './core/istio-release';
export type { IMeshService, MeshServicePort } from './core/mesh-service';
export { SidecarInjection } from './core/sidecar-injection';
export type { IWorkloadIdentity } from './core/workload-identity';

// Analysis: synth-time checks of the whole mesh, and the same checks on plain manifests.
export type { CheckDefinition, Finding, ReleaseFact } from './analysis/findings';
export { ACKNOWLEDGE_ANNOTATION, MESH_CHECKS, Severity, WeightStrictness } from './analysis/findings';
export type {
  Acknowledgement,
  AnalyzedObject,
  ManifestAnalysisOptions,
  MeshAnalysisOptions,
} from './analysis/mesh-analysis';
export { analyzeManifests, MeshAnalysis } from './analysis/mesh-analysis';

// Topology: pictures of the routing (SVG, Mermaid), drawn from the objects the analysis reads.
export type { TopologyMarkdownOptions } from './topology/mermaid-renderer';
export { renderTopologyMarkdown, renderTopologyMermaid } from './topology/mermaid-renderer';
export type { TopologySvgOptions } from './topology/svg-renderer';
export { renderTopologySvg } from './topology/svg-renderer';
export type { TopologyFiles, TopologyFilesOptions } from './topology/topology-files';
export { writeTopology } from './topology/topology-files';
export type {
  TopologyDestination,
  TopologyEntry,
  TopologyIssue,
  TopologyListener,
  TopologyMirror,
  TopologyModel,
  TopologyOptions,
  TopologyRouteTable,
  TopologyRule,
  TopologySubset,
  TopologyTarget,
  TopologyWorkload,
} from './topology/topology-model';
export { buildTopology, topologyOf } from './topology/topology-model';

// Routing: version-aware DestinationRules and VirtualServices, and the values their routes take.
export type {
  CorsPolicy,
  DelegateTarget,
  DirectResponse,
  FaultAbort,
  FaultDelay,
  FaultInjection,
  HeaderModifier,
  HttpMatch,
  HttpRedirect,
  HttpRewrite,
  HttpRouteOptions,
  Mirror,
  RetryPolicy,
  RouteDestination,
  UriRegexRewrite,
} from './routing/http-route';
export {
  GrpcStatus,
  HttpRoute,
  PathReplacement,
  RedirectPortDerivation,
  ResponseBody,
  RetryOn,
  StringMatch,
  UnmatchedPreflights,
} from './routing/http-route';
export { Percent } from './routing/percent';
export { RoutingApi } from './routing/routing-api';
export type { L4Match, RouteParent, TcpRouteOptions } from './routing/tcp-route';
export { TcpRoute } from './routing/tcp-route';
export type { TlsMatch, TlsRouteOptions } from './routing/tls-route';
export { TlsRoute } from './routing/tls-route';
export type {
  ClientTls,
  ConnectionPool,
  HttpConnectionPool,
  LocalityDistribution,
  LocalityFailover,
  LocalityLoadBalancing,
  OutlierDetection,
  PortTrafficPolicy,
  TcpConnectionPool,
  TcpKeepalive,
  TrafficPolicy,
} from './routing/traffic-policy';
export { H2UpgradePolicy, LoadBalancer, LoadBalancerAlgorithm, TlsMode } from './routing/traffic-policy';
export type {
  RouteExtras,
  RouteShortcutOptions,
  Subset,
  SubsetOptions,
  VersionRoutingProps,
} from './routing/version-routing';
export { VersionRouting } from './routing/version-routing';
export type { VersionServicesProps } from './routing/version-services';
export { VersionServices } from './routing/version-services';

// Workload: your own versioned services (Deployments and Services), and references to services built elsewhere.
export type { MeshServiceAttributes, MeshServiceFromServiceOptions } from './workload/mesh-service';
export { MeshService } from './workload/mesh-service';
export type { ServiceEntryEndpoint, ServiceEntryPort, ServiceEntryProps } from './workload/service-entry';
export { ServiceEntry, ServiceEntryLocation, ServiceEntryResolution } from './workload/service-entry';
export type {
  ScratchVolume,
  VersionedWorkloadProps,
  WorkloadPort,
  WorkloadVersion,
} from './workload/versioned-workload';
export { VersionedWorkload } from './workload/versioned-workload';

// Ambient mode: namespaces enrolled in the data plane, and waypoint proxies for L7.
export type { MeshNamespaceProps } from './ambient/mesh-namespace';
export { MeshNamespace } from './ambient/mesh-namespace';
export type { WaypointProps } from './ambient/waypoint';
export { Waypoint, WaypointFor } from './ambient/waypoint';

// Security: peer authentication (mTLS modes, StrictMtls), request authentication (JWTs), authorization
// policies for sidecars, ztunnel and waypoints, and Sidecar resources.
export type { PolicySelector } from './security/_policy-scope';
export type {
  AuthorizationCondition,
  AuthorizationOperation,
  AuthorizationPolicyProps,
  AuthorizationPresetProps,
  AuthorizationRule,
  AuthorizationRuleOptions,
  AuthorizationSource,
} from './security/authorization-policy';
export { AuthorizationAction, AuthorizationPolicy } from './security/authorization-policy';
export type { PeerAuthenticationProps } from './security/peer-authentication';
export { MtlsMode, PeerAuthentication } from './security/peer-authentication';
export type {
  JwtClaimToHeader,
  JwtHeaderLocation,
  JwtRule,
  RequestAuthenticationProps,
} from './security/request-authentication';
export { RequestAuthentication } from './security/request-authentication';
export type {
  SidecarEgressListener,
  SidecarEgressProxy,
  SidecarIngressListener,
  SidecarOutboundTrafficPolicy,
  SidecarPort,
  SidecarProps,
} from './security/sidecar';
export { CaptureMode, OutboundTrafficMode, Sidecar } from './security/sidecar';
export type { StrictMtlsProps } from './security/strict-mtls';
export { StrictMtls } from './security/strict-mtls';

// Exposure: publishing services through an ingress gateway, alone or on a shared Gateway, or through
// a Kubernetes Gateway API Gateway.
export type { EgressGatewayProps, EgressGatewayRoutesProps } from './exposure/egress-gateway';
export { EgressGateway, EgressGatewayRoutes, EgressTraffic } from './exposure/egress-gateway';
export type { EgressNetworkPolicyProps } from './exposure/egress-network-policy';
export { EgressNetworkPolicy } from './exposure/egress-network-policy';
export type { EgressRoutingProps } from './exposure/egress-routing';
export { EgressRouting } from './exposure/egress-routing';
export type { EgressTlsOriginationProps } from './exposure/egress-tls-origination';
export { EgressTlsOrigination } from './exposure/egress-tls-origination';
export type {
  ExposedRoute,
  ExposedServiceProps,
  ExposurePassthrough,
  ExposureTcp,
  ExposureTls,
  JwtRequirement,
} from './exposure/exposed-service';
export { ExposedService } from './exposure/exposed-service';
export type { GatewayApiExposureProps, GatewayApiExposureTls } from './exposure/gateway-api-exposure';
export { GatewayApiExposure } from './exposure/gateway-api-exposure';
export type { IngressGatewayOptions } from './exposure/ingress-gateway';
export { GatewayServerPorts, IngressGateway } from './exposure/ingress-gateway';
export type {
  CertificateRef,
  GatewayInfrastructure,
  GatewayListener,
  KubernetesGatewayProps,
  ListenerAllowedRoutes,
  ListenerOptions,
  ListenerTls,
} from './exposure/kubernetes-gateway';
export {
  GatewayServiceType,
  KubernetesGateway,
  ListenerProtocol,
  ListenerTlsMode,
  ListenerTlsOptions,
  RouteKind,
  RouteNamespaces,
} from './exposure/kubernetes-gateway';
export type { GatewayServer, GatewayServerOptions, SharedGatewayProps } from './exposure/shared-gateway';
export { ServerProtocol, ServerTlsMode, SharedGateway, TlsProtocolVersion } from './exposure/shared-gateway';

// Addons: Prometheus, Grafana, Jaeger and Kiali, alone or wired together by IstioAddons.
export type { IAddonService } from './addons/addon-service';
export { addonService } from './addons/addon-service';
export type { GrafanaAdminCredentials, GrafanaDashboard, GrafanaProps } from './addons/grafana';
export { Grafana } from './addons/grafana';
export type { IstioAddonsKialiProps, IstioAddonsProps } from './addons/istio-addons';
export { IstioAddons } from './addons/istio-addons';
export type {
  JaegerCollectorEndpoint,
  JaegerListenAddress,
  JaegerMemoryStorageOptions,
  JaegerProps,
  JaegerV2Backend,
  JaegerV2Config,
} from './addons/jaeger';
export { Jaeger, JaegerStorage } from './addons/jaeger';
export type { KialiGrafanaOptions, KialiProps, KialiTracingOptions } from './addons/kiali';
export { Kiali } from './addons/kiali';
export type {
  KialiConfig,
  KialiDeploymentConfig,
  KialiDisplayDetail,
  KialiExternalServicesConfig,
  KialiFeatureFlagsConfig,
  KialiGrafanaConfig,
  KialiLoggerConfig,
  KialiProbeConfig,
  KialiPrometheusConfig,
  KialiResourceConfig,
  KialiServerConfig,
  KialiTracingConfig,
  KialiV2Config,
} from './addons/kiali-config';
export { KIALI_BUILTIN_URLS, KialiAuthStrategy } from './addons/kiali-config';
export type { LokiProps } from './addons/loki';
export { Loki } from './addons/loki';
export type {
  LokiCommonConfig,
  LokiConfig,
  LokiConfigOptions,
  LokiLimitsConfig,
  LokiPeriodConfig,
  LokiRulerConfig,
  LokiServerConfig,
  LokiStorageConfig,
} from './addons/loki-config';
export { defaultLokiConfig } from './addons/loki-config';
export type { PrometheusProps, PrometheusVolumeClaimOptions } from './addons/prometheus';
export { Prometheus, PrometheusStorage } from './addons/prometheus';
export type {
  DefaultScrapeConfigsOptions,
  KubernetesSdConfig,
  PrometheusConfig,
  PrometheusGlobalConfig,
  RelabelConfig,
  ScrapeConfig,
  StaticConfig,
  TlsConfig,
} from './addons/prometheus-config';
export { defaultScrapeConfigs, KubernetesSdRole, RelabelAction, ScrapeScheme } from './addons/prometheus-config';

// Bookinfo: the sample app, its services, an in-mesh client, and Istio's Bookinfo traffic tasks.
export type { BookinfoAppProps, ReviewsVersion } from './bookinfo/bookinfo-app';
export { BookinfoApp, BookinfoPodSecurityProfile } from './bookinfo/bookinfo-app';
export type { BookinfoDestinationRulesProps } from './bookinfo/bookinfo-destination-rules';
export { BookinfoDestinationRules } from './bookinfo/bookinfo-destination-rules';
export type { BookinfoScenarioProps } from './bookinfo/bookinfo-scenario';
export { BookinfoScenario, BookinfoScenarioName } from './bookinfo/bookinfo-scenario';
export type { BookinfoVariantProps } from './bookinfo/bookinfo-variant';
export { BookinfoVariant, BookinfoVariantName } from './bookinfo/bookinfo-variant';
export type { CurlClientProps } from './bookinfo/curl-client';
export { CurlClient } from './bookinfo/curl-client';
export type { SleepClientProps } from './bookinfo/sleep-client';
export { SleepClient } from './bookinfo/sleep-client';

// Samples: the workloads of Istio's tasks (httpbin, fortio, helloworld, tcp-echo, an NGINX TLS server).
export type { CurlDeploymentProps } from './samples/curl-deployment';
export { CurlDeployment } from './samples/curl-deployment';
export type { FortioClientProps } from './samples/fortio-client';
export { FortioClient } from './samples/fortio-client';
export type { HelloWorldProps } from './samples/hello-world';
export { HelloWorld } from './samples/hello-world';
export type { HttpbinProps } from './samples/httpbin';
export { Httpbin, HttpbinServer } from './samples/httpbin';
export type { NginxServerProps } from './samples/nginx-server';
export { NginxServer } from './samples/nginx-server';
export type { SampleWorkloadOptions } from './samples/sample-workload-options';
export type { TcpEchoProps, TcpEchoVersion } from './samples/tcp-echo';
export { TcpEcho } from './samples/tcp-echo';
