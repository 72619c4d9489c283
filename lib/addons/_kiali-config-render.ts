import { Yaml } from 'cdk8s';

import { KialiConfig, KialiProbeConfig, KialiV2Config } from './kiali-config';

/** Kiali's `config.yaml` text for typed values. Keys follow Kiali's snake_case schema. */
export function renderKialiConfig(config: KialiConfig): string {
  return Yaml.stringify(kialiConfigDocument(config));
}

/** The `config.yaml` document as plain data (what {@link renderKialiConfig} serializes). */
export function kialiConfigDocument(config: KialiConfig): Record<string, unknown> {
  return config.v2 ? kialiV2Document(config, config.v2) : kialiV1Document(config);
}

function kialiV1Document(config: KialiConfig): Record<string, unknown> {
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

function probe(p: KialiProbeConfig): Record<string, unknown> {
  return withoutUndefined({
    failure_threshold: p.failureThreshold,
    initial_delay_seconds: p.initialDelaySeconds,
    period_seconds: p.periodSeconds,
  });
}

/** Kiali v2's layout (Kiali 2.26, Istio 1.30). */
function kialiV2Document(config: KialiConfig, v2: KialiV2Config): Record<string, unknown> {
  const d = config.deployment;
  const es = config.externalServices;
  const ff = config.featureFlags;
  return withoutUndefined({
    additional_display_details: v2.additionalDisplayDetails.map((x) => ({
      annotation: x.annotation,
      icon_annotation: x.iconAnnotation,
      title: x.title,
    })),
    auth: {
      openshift: { client_id_prefix: config.openshiftClientIdPrefix },
      strategy: config.authStrategy,
    },
    chat_ai: {
      default_provider: v2.chatAi.defaultProvider,
      enabled: v2.chatAi.enabled,
      providers: [],
      store_config: {
        enabled: v2.chatAi.storeEnabled,
        max_cache_memory_mb: v2.chatAi.storeMaxCacheMemoryMb,
        reduce_threshold: v2.chatAi.storeReduceThreshold,
        reduce_with_ai: v2.chatAi.storeReduceWithAi,
      },
    },
    clustering: {
      autodetect_secrets: { enabled: ff.autodetectClusterSecrets, label: ff.clusterSecretLabel },
      clusters: [],
    },
    deployment: {
      affinity: { node: { ...d.affinity.node }, pod: { ...d.affinity.pod }, pod_anti: { ...d.affinity.podAnti } },
      cluster_wide_access: v2.clusterWideAccess,
      dns: { config: {}, policy: v2.dnsPolicy },
      hpa: { api_version: d.hpaApiVersion, spec: {} },
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
      network_policy: { enabled: v2.networkPolicyEnabled },
      pod_annotations: { ...v2.podAnnotations },
      pod_disruption_budget: { api_version: v2.podDisruptionBudgetApiVersion, spec: {} },
      pod_labels: { ...d.podLabels },
      priority_class_name: d.priorityClassName,
      probes: {
        liveness: probe(v2.probes.liveness),
        readiness: probe(v2.probes.readiness),
        startup: probe(v2.probes.startup),
      },
      remote_cluster_resources_only: v2.remoteClusterResourcesOnly,
      replicas: d.replicas,
      resources: withoutUndefined({ limits: d.resources.limits, requests: d.resources.requests }),
      secret_name: d.secretName,
      service_type: d.serviceType,
      tls_config: {
        cipher_suites: [],
        max_version: v2.tlsConfig.maxVersion,
        min_version: v2.tlsConfig.minVersion,
        source: v2.tlsConfig.source,
      },
      version_label: d.versionLabel,
      view_only_mode: d.viewOnlyMode,
    },
    external_services: withoutUndefined({
      custom_dashboards: { enabled: es.customDashboardsEnabled },
      istio: { root_namespace: es.istioRootNamespace },
      prometheus: withoutUndefined({ enabled: true, url: es.prometheus.url }),
      grafana: section({
        enabled: es.grafana.enabled,
        internal_url: es.grafana.inClusterUrl,
        external_url: es.grafana.url,
      }),
      tracing: section({
        enabled: es.tracing.enabled,
        internal_url: es.tracing.inClusterUrl,
        use_grpc: es.tracing.useGrpc,
        external_url: es.tracing.url,
      }),
    }),
    identity: { cert_file: config.identity.certFile, private_key_file: config.identity.privateKeyFile },
    istio_namespace: config.istioNamespace === 'istio-system' ? undefined : config.istioNamespace,
    kiali_feature_flags: {
      custom_workload_types: [],
      disabled_features: [],
      validations: { ignore: [...ff.ignoredValidations] },
    },
    login_token: { signing_key: config.loginTokenSigningKey },
    server: {
      observability: {
        metrics: {
          enabled: config.server.metricsEnabled,
          health_status: { enabled: v2.healthStatus.enabled, max_consecutive_na: v2.healthStatus.maxConsecutiveNa },
          port: config.server.metricsPort,
        },
      },
      port: config.server.port,
      web_root: config.server.webRoot,
    },
    skipResources: [],
  });
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
