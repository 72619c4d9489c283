export * from './addons/_config-checksum';
export * from './addons/addon-service';
export * from './addons/dashboards/dashboard';
export * from './addons/dashboards/istio-dashboards';
export * from './addons/grafana';
export * from './addons/grafana-config';
export * from './addons/istio-addons';
export * from './addons/jaeger';
export * from './addons/kiali';
export * from './addons/kiali-config';
export * from './addons/prometheus';
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
export {
  defaultScrapeConfigs,
  KubernetesSdRole,
  prometheusDuration,
  RelabelAction,
  renderPrometheusConfig,
  ScrapeScheme,
} from './addons/prometheus-config';
export * from './analysis/findings';
export * from './analysis/mesh-analysis';
export * from './bookinfo/bookinfo-app';
export * from './bookinfo/bookinfo-destination-rules';
export * from './bookinfo/bookinfo-scenario';
export * from './bookinfo/bookinfo-service';
export * from './bookinfo/sleep-client';
export * from './core/atomic-synth';
export * from './core/exposure-risk';
export { InvalidInputError } from './core/input-validation';
export * from './core/mesh-service';
export * from './core/sidecar-injection';
export * from './exposure/exposed-service';
export * from './exposure/ingress-gateway';
export * from './exposure/shared-gateway';
export * from './routing/http-route';
export * from './routing/istio-duration';
export * from './routing/percent';
export * from './routing/traffic-policy';
export * from './routing/version-routing';
export * from './security/strict-mtls';
