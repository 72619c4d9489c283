import { Yaml } from 'cdk8s';

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
  /** `enabled`: false turns tracing features off. Omitted means enabled. */
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
  /** `login_token.signing_key`: the key that encrypts session cookies (16, 24 or 32 characters). */
  readonly loginTokenSigningKey: string;
  /** The `server` section. */
  readonly server: KialiServerConfig;
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

/** Kiali's `config.yaml` text for typed values. Keys follow Kiali's snake_case schema. */
export function renderKialiConfig(config: KialiConfig): string {
  return Yaml.stringify(kialiConfigDocument(config));
}

/** The `config.yaml` document as plain data (what {@link renderKialiConfig} serializes). */
export function kialiConfigDocument(config: KialiConfig): Record<string, unknown> {
  const d = config.deployment;
  const es = config.externalServices;
  const ff = config.featureFlags;
  return {
    auth: {
      openshift: { client_id_prefix: config.openshiftClientIdPrefix },
      strategy: config.authStrategy,
    },
    deployment: {
      accessible_namespaces: [...d.accessibleNamespaces],
      affinity: { node: { ...d.affinity.node }, pod: { ...d.affinity.pod }, pod_anti: { ...d.affinity.podAnti } },
      hpa: { api_version: d.hpaApiVersion },
      image_digest: d.imageDigest,
      image_name: d.imageName,
      image_pull_policy: d.imagePullPolicy,
      image_version: d.imageVersion,
      ingress: {
        class_name: d.ingressClassName,
        override_yaml: { metadata: { ...d.ingressOverrideYaml.metadata } },
      },
      ingress_enabled: d.ingressEnabled,
      instance_name: d.instanceName,
      logger: {
        log_format: d.logger.format,
        log_level: d.logger.level,
        sampler_rate: d.logger.samplerRate,
        time_field_format: d.logger.timeFieldFormat,
      },
      namespace: d.namespace,
      pod_labels: { ...d.podLabels },
      priority_class_name: d.priorityClassName,
      replicas: d.replicas,
      resources: withoutUndefined({ limits: d.resources.limits, requests: d.resources.requests }),
      secret_name: d.secretName,
      service_type: d.serviceType,
      version_label: d.versionLabel,
      view_only_mode: d.viewOnlyMode,
    },
    external_services: withoutUndefined({
      custom_dashboards: { enabled: es.customDashboardsEnabled },
      istio: { root_namespace: es.istioRootNamespace },
      prometheus: section({ url: es.prometheus.url }),
      grafana: section({ enabled: es.grafana.enabled, in_cluster_url: es.grafana.inClusterUrl, url: es.grafana.url }),
      tracing: section({
        enabled: es.tracing.enabled,
        in_cluster_url: es.tracing.inClusterUrl,
        use_grpc: es.tracing.useGrpc,
        url: es.tracing.url,
      }),
    }),
    identity: { cert_file: config.identity.certFile, private_key_file: config.identity.privateKeyFile },
    istio_namespace: config.istioNamespace,
    kiali_feature_flags: {
      certificates_information_indicators: {
        enabled: ff.certificateIndicatorsEnabled,
        secrets: [...ff.certificateSecrets],
      },
      clustering: { autodetect_secrets: { enabled: ff.autodetectClusterSecrets, label: ff.clusterSecretLabel } },
      validations: { ignore: [...ff.ignoredValidations] },
    },
    login_token: { signing_key: config.loginTokenSigningKey },
    server: {
      metrics_enabled: config.server.metricsEnabled,
      metrics_port: config.server.metricsPort,
      port: config.server.port,
      web_root: config.server.webRoot,
    },
  };
}

/** Drops unset keys, so that Kiali applies its own defaults for them. */
function withoutUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A section with its unset keys dropped; undefined (no section at all) when nothing is set. */
function section(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept = withoutUndefined(o);
  return Object.keys(kept).length > 0 ? kept : undefined;
}
