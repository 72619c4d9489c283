/**
 * How users log in to Kiali.
 *
 * Kiali supports more strategies (`openid`, `openshift`, `header`); these two are the ones
 * that work on any cluster without an identity provider.
 */
export enum KialiAuthStrategy {
  /**
   * No login: whoever reaches the Service acts with Kiali's own service account, which can
   * edit every Istio resource in the cluster (unless `viewOnlyMode`). Istio's sample default.
   */
  ANONYMOUS = 'anonymous',
  /** Users log in with a Kubernetes service-account token and act with its RBAC rights. */
  TOKEN = 'token',
}

/** Kiali's log settings; the container's `LOG_*` environment repeats them. */
export interface KialiLoggerConfig {
  /** `log_format`: `text` or `json`. */
  readonly format: string;
  /** `log_level`, e.g. `info`. */
  readonly level: string;
  /** `sampler_rate`: the share of log lines kept, as Kiali reads it (a string). */
  readonly samplerRate: string;
  /** `time_field_format`: a Go time layout. */
  readonly timeFieldFormat: string;
}

/** Container resources as plain strings, the way Kiali's config reports them. */
export interface KialiResourceConfig {
  /** Limits by resource name, e.g. `{ memory: '1Gi' }`. */
  readonly limits?: Record<string, string>;
  /** Requests by resource name, e.g. `{ cpu: '10m', memory: '64Mi' }`. */
  readonly requests?: Record<string, string>;
}

/**
 * The `deployment` section: where Kiali runs and how it was deployed. Kiali reads
 * `accessible_namespaces`, `namespace`, `instance_name` and `view_only_mode`; the rest
 * describes its own Deployment (shown on its "about" page), so it must agree with the pod.
 */
export interface KialiDeploymentConfig {
  /** Namespaces Kiali may show; `['**']` means all of them. */
  readonly accessibleNamespaces: readonly string[];
  /** `affinity.node` / `pod` / `pod_anti` of the pod, as the Helm chart records them (empty: none). */
  readonly affinity: {
    readonly node: Readonly<Record<string, unknown>>;
    readonly pod: Readonly<Record<string, unknown>>;
    readonly podAnti: Readonly<Record<string, unknown>>;
  };
  /** `hpa.api_version` recorded by the Helm chart (no HPA is created). */
  readonly hpaApiVersion: string;
  /** `image_digest`; empty when the image is addressed by tag. */
  readonly imageDigest: string;
  /** `image_name`: the image repository. */
  readonly imageName: string;
  /** `image_pull_policy` of the container. */
  readonly imagePullPolicy: string;
  /** `image_version`: the image tag. */
  readonly imageVersion: string;
  /** `ingress.class_name` recorded by the Helm chart. */
  readonly ingressClassName: string;
  /** `ingress.override_yaml` recorded by the Helm chart (empty: no overrides). */
  readonly ingressOverrideYaml: { readonly metadata: Readonly<Record<string, unknown>> };
  /** `ingress_enabled`: whether an Ingress is created for Kiali (never, here). */
  readonly ingressEnabled: boolean;
  /** `instance_name`: the name of Kiali's own objects. */
  readonly instanceName: string;
  /** Log settings. */
  readonly logger: KialiLoggerConfig;
  /** `namespace`: where Kiali itself runs. */
  readonly namespace: string;
  /** `pod_labels` added to Kiali's pod template. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** `priority_class_name` of the pod; empty for none. */
  readonly priorityClassName: string;
  /** `replicas` of the Deployment. */
  readonly replicas: number;
  /** `resources` of the container. */
  readonly resources: KialiResourceConfig;
  /** `secret_name`: the optional Secret mounted at `/kiali-secret`. */
  readonly secretName: string;
  /** `service_type`; empty means ClusterIP. */
  readonly serviceType: string;
  /** `version_label`: the `version` label of Kiali's objects. */
  readonly versionLabel: string;
  /** `view_only_mode`: when true, Kiali offers no actions that change the cluster. */
  readonly viewOnlyMode: boolean;
}

/** `external_services.prometheus`. */
export interface KialiPrometheusConfig {
  /** In-cluster URL Kiali queries. Omitted means Kiali's built-in default. */
  readonly url?: string;
}

/** `external_services.grafana`. */
export interface KialiGrafanaConfig {
  /** `enabled`: false turns Grafana links and lookups off. Omitted means enabled. */
  readonly enabled?: boolean;
  /** `in_cluster_url` Kiali's backend calls. Omitted means Kiali's built-in default. */
  readonly inClusterUrl?: string;
  /** `url` used for links in the browser. Omitted means no links. */
  readonly url?: string;
}

/** `external_services.tracing`. */
export interface KialiTracingConfig {
  /** `enabled`: false turns tracing features off. Omitted means Kiali's default (v1: enabled). */
  readonly enabled?: boolean;
  /** `in_cluster_url` of the Jaeger query API. Omitted means Kiali's built-in default. */
  readonly inClusterUrl?: string;
  /** `use_grpc`: whether `inClusterUrl` is Jaeger's gRPC query port. */
  readonly useGrpc?: boolean;
  /** `url` used for links in the browser. Omitted means no links. */
  readonly url?: string;
}

/** The `external_services` section. */
export interface KialiExternalServicesConfig {
  /** `custom_dashboards.enabled`: Kiali's built-in runtime dashboards (Go, Kiali...). */
  readonly customDashboardsEnabled: boolean;
  /** `istio.root_namespace`: Istio's root configuration namespace. */
  readonly istioRootNamespace: string;
  /** Prometheus, which Kiali needs for the graph, metrics and health. */
  readonly prometheus: KialiPrometheusConfig;
  /** Grafana, for dashboard links. */
  readonly grafana: KialiGrafanaConfig;
  /** Jaeger, for traces. */
  readonly tracing: KialiTracingConfig;
}

/** The `kiali_feature_flags` section. */
export interface KialiFeatureFlagsConfig {
  /** `certificates_information_indicators.enabled`: show mesh CA certificate details. */
  readonly certificateIndicatorsEnabled: boolean;
  /** `certificates_information_indicators.secrets`: the CA Secrets read in the Istio namespace. */
  readonly certificateSecrets: readonly string[];
  /** `clustering.autodetect_secrets.enabled`: find remote-cluster Secrets by label. */
  readonly autodetectClusterSecrets: boolean;
  /** `clustering.autodetect_secrets.label`: the label those Secrets carry. */
  readonly clusterSecretLabel: string;
  /** `validations.ignore`: Kiali validation codes not reported. */
  readonly ignoredValidations: readonly string[];
}

/** The `server` section. */
export interface KialiServerConfig {
  /** `port` of the UI and API. */
  readonly port: number;
  /** `web_root`: the path prefix of the UI and API, e.g. `/kiali`. */
  readonly webRoot: string;
  /** `metrics_enabled`: serve Kiali's own Prometheus metrics. */
  readonly metricsEnabled: boolean;
  /** `metrics_port`. */
  readonly metricsPort: number;
}

/** Timings of one of Kiali's probes, as Kiali v2's config records them. */
export interface KialiProbeConfig {
  /** `initial_delay_seconds`. */
  readonly initialDelaySeconds: number;
  /** `period_seconds`. */
  readonly periodSeconds: number;
  /** `failure_threshold`; omitted means Kubernetes' default. */
  readonly failureThreshold?: number;
}

/** An extra detail Kiali v2 shows for workloads and services, read from an annotation. */
export interface KialiDisplayDetail {
  /** `annotation` holding the value (e.g. a URL). */
  readonly annotation: string;
  /** `icon_annotation` choosing the icon. */
  readonly iconAnnotation: string;
  /** `title` shown. */
  readonly title: string;
}

/**
 * What only Kiali v2 (Istio 1.30, Kiali 2.26) reads: cluster-wide access instead of
 * `accessible_namespaces`, multi-cluster autodetection at the top level, the AI chat (off),
 * probe timings, TLS settings and health-status metrics.
 */
export interface KialiV2Config {
  /** `deployment.cluster_wide_access`: Kiali watches every namespace through ClusterRoles. */
  readonly clusterWideAccess: boolean;
  /** `deployment.pod_annotations`, also set on the pod template. */
  readonly podAnnotations: Readonly<Record<string, string>>;
  /** `deployment.pod_disruption_budget.api_version` recorded by the Helm chart (no PDB is created). */
  readonly podDisruptionBudgetApiVersion: string;
  /** `deployment.probes`: the timings of the pod's probes. */
  readonly probes: {
    readonly liveness: KialiProbeConfig;
    readonly readiness: KialiProbeConfig;
    readonly startup: KialiProbeConfig;
  };
  /** `deployment.network_policy.enabled`: whether the chart creates a NetworkPolicy (never, here). */
  readonly networkPolicyEnabled: boolean;
  /** `deployment.remote_cluster_resources_only`. */
  readonly remoteClusterResourcesOnly: boolean;
  /** `deployment.dns.policy`; empty for the cluster default. */
  readonly dnsPolicy: string;
  /** `deployment.tls_config`: where Kiali takes its TLS settings from, and the version bounds (empty: defaults). */
  readonly tlsConfig: { readonly source: string; readonly minVersion: string; readonly maxVersion: string };
  /** `additional_display_details`. */
  readonly additionalDisplayDetails: readonly KialiDisplayDetail[];
  /** `chat_ai`: Kiali's AI assistant (disabled, no providers) and its conversation store. */
  readonly chatAi: {
    readonly enabled: boolean;
    readonly defaultProvider: string;
    readonly storeEnabled: boolean;
    readonly storeMaxCacheMemoryMb: number;
    readonly storeReduceThreshold: number;
    readonly storeReduceWithAi: boolean;
  };
  /** `server.observability.metrics.health_status`: health metrics of the mesh's workloads. */
  readonly healthStatus: { readonly enabled: boolean; readonly maxConsecutiveNa: number };
}

/** The whole `config.yaml` that Kiali reads, as typed values. */
export interface KialiConfig {
  /** `auth.strategy`. */
  readonly authStrategy: KialiAuthStrategy;
  /** `auth.openshift.client_id_prefix` (only used on OpenShift). */
  readonly openshiftClientIdPrefix: string;
  /** The `deployment` section. */
  readonly deployment: KialiDeploymentConfig;
  /** The `external_services` section. */
  readonly externalServices: KialiExternalServicesConfig;
  /** `identity.cert_file` / `private_key_file`: serve TLS when set; empty for plain HTTP. */
  readonly identity: { readonly certFile: string; readonly privateKeyFile: string };
  /** `istio_namespace`: where istiod and its CA Secrets live. */
  readonly istioNamespace: string;
  /** The `kiali_feature_flags` section. */
  readonly featureFlags: KialiFeatureFlagsConfig;
  /** `login_token.signing_key`: the key that encrypts session cookies (16, 24 or 32 bytes in UTF-8). */
  readonly loginTokenSigningKey: string;
  /** The `server` section. */
  readonly server: KialiServerConfig;
  /**
   * Kiali v2's settings (Istio 1.30): when set, `config.yaml` takes Kiali v2's layout (no
   * `istio_namespace` or `accessible_namespaces`, clustering at the top level, metrics under
   * `server.observability`, `internal_url`/`external_url`). Undefined for Kiali v1.63 (Istio 1.17).
   */
  readonly v2?: KialiV2Config;
}

/**
 * Where Kiali v1.63 looks for its external services when `config.yaml` names none
 * (Kiali's `NewConfig()` defaults). They assume the Istio addons in `istio-system`.
 */
export const KIALI_BUILTIN_URLS = {
  /** `external_services.prometheus.url`. */
  prometheus: 'http://prometheus.istio-system:9090',
  /** `external_services.grafana.in_cluster_url`. */
  grafana: 'http://grafana.istio-system:3000',
  /** `external_services.tracing.in_cluster_url`, queried over gRPC (`use_grpc: true`). */
  tracing: 'http://tracing.istio-system:16685/jaeger',
} as const;
