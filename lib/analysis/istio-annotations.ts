/**
 * The annotations Istio 1.30 defines (istio/api `annotation/annotations.yaml` at 1.30.3), with the
 * facts the annotation checks need: where Istio reads each one, whether it is deprecated, and which
 * value check the sidecar injector applies (pkg/kube/inject `AnnotationValidation`).
 */

/** The kinds an annotation applies to, as Istio names them (`Any`: every kind). */
export type AnnotationResource =
  | 'Any'
  | 'AuthorizationPolicy'
  | 'Gateway'
  | 'GatewayClass'
  | 'Ingress'
  | 'Namespace'
  | 'Pod'
  | 'Service'
  | 'ServiceEntry'
  | 'WorkloadEntry';

/** The value check the injector applies to an annotation, when it applies one. */
export type AnnotationValueKind =
  /** REDIRECT, TPROXY or NONE. */
  | 'interception-mode'
  /** One port number, 0-65535 (surrounding spaces allowed). */
  | 'port'
  /** A decimal integer 0-4294967295. */
  | 'uint32'
  /** Comma-separated CIDRs, no spaces; empty allowed. */
  | 'cidrs'
  /** `*`, or comma-separated CIDRs. */
  | 'cidrs-or-star'
  /** Comma-separated port numbers (spaces around each allowed); empty allowed. */
  | 'ports'
  /** `*`, or comma-separated port numbers. */
  | 'ports-or-star'
  /** Comma-separated network interface names (a letter, then letters, digits, `_`, `.`, `-`; at most 15). */
  | 'interfaces'
  /** A Go boolean: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False. */
  | 'bool'
  /** A ProxyConfig in YAML or JSON. */
  | 'proxy-config'
  /** A Kubernetes resource quantity, e.g. `100m` or `128Mi`. */
  | 'quantity';

/** One Istio annotation. */
export interface IstioAnnotation {
  /** The annotation key. */
  readonly name: string;
  /** The kinds Istio reads it from. */
  readonly resources: readonly AnnotationResource[];
  /** Deprecated in Istio 1.30 (it may stop working in a later release). */
  readonly deprecated?: boolean;
  /** What replaces a deprecated annotation, when Istio names a replacement. */
  readonly replacement?: string;
  /** The injector's check of the value, if any. */
  readonly value?: AnnotationValueKind;
}

/**
 * Annotations that Istio's controllers set themselves; `istioctl analyze` never reports them
 * (maturity.AlwaysIgnoredAnnotations).
 */
export const CONTROLLER_SET_ANNOTATIONS: ReadonlySet<string> = new Set([
  'sidecar.istio.io/status',
  'gateway.istio.io/controller-version',
  'istio.io/rev',
]);

/** Every annotation of Istio 1.30, by name. */
export const ISTIO_ANNOTATIONS: ReadonlyMap<string, IstioAnnotation> = new Map(
  (
    [
      { name: 'alpha.istio.io/canonical-serviceaccounts', resources: ['Service'], deprecated: true },
      { name: 'alpha.istio.io/kubernetes-serviceaccounts', resources: ['Service'], deprecated: true },
      { name: 'ambient.istio.io/bypass-inbound-capture', resources: ['Pod'] },
      { name: 'ambient.istio.io/dns-capture', resources: ['Pod'] },
      { name: 'ambient.istio.io/redirection', resources: ['Pod'] },
      { name: 'ambient.istio.io/waypoint-inbound-binding', resources: ['GatewayClass', 'Gateway'] },
      { name: 'galley.istio.io/analyze-suppress', resources: ['Any'] },
      { name: 'gateway.istio.io/controller-version', resources: ['Any'] },
      { name: 'gateway.istio.io/name-override', resources: ['Gateway'] },
      { name: 'gateway.istio.io/service-account', resources: ['Gateway'] },
      { name: 'inject.istio.io/templates', resources: ['Pod'] },
      { name: 'istio.io/autoRegistrationGroup', resources: ['WorkloadEntry'] },
      { name: 'istio.io/connectedAt', resources: ['WorkloadEntry'] },
      { name: 'istio.io/disconnectedAt', resources: ['WorkloadEntry'] },
      { name: 'istio.io/dry-run', resources: ['AuthorizationPolicy'] },
      { name: 'istio.io/reroute-virtual-interfaces', resources: ['Pod'], value: 'interfaces' },
      { name: 'istio.io/rev', resources: ['Pod'] },
      { name: 'istio.io/workloadController', resources: ['WorkloadEntry'] },
      { name: 'kubernetes.io/ingress.class', resources: ['Ingress'] },
      { name: 'networking.istio.io/exportTo', resources: ['Service'] },
      { name: 'networking.istio.io/service-type', resources: ['Gateway'] },
      { name: 'networking.istio.io/traffic-distribution', resources: ['Namespace', 'Service', 'ServiceEntry'] },
      { name: 'prometheus.istio.io/merge-metrics', resources: ['Pod'], value: 'bool' },
      { name: 'proxy.istio.io/config', resources: ['Pod'], value: 'proxy-config' },
      { name: 'proxy.istio.io/overrides', resources: ['Pod'] },
      { name: 'readiness.status.sidecar.istio.io/applicationPorts', resources: ['Pod'] },
      { name: 'readiness.status.sidecar.istio.io/failureThreshold', resources: ['Pod'], value: 'uint32' },
      { name: 'readiness.status.sidecar.istio.io/initialDelaySeconds', resources: ['Pod'], value: 'uint32' },
      { name: 'readiness.status.sidecar.istio.io/periodSeconds', resources: ['Pod'], value: 'uint32' },
      { name: 'sidecar.istio.io/agentLogLevel', resources: ['Pod'] },
      { name: 'sidecar.istio.io/bootstrapOverride', resources: ['Pod'] },
      { name: 'sidecar.istio.io/componentLogLevel', resources: ['Pod'] },
      {
        name: 'sidecar.istio.io/discoveryAddress',
        resources: ['Pod'],
        deprecated: true,
        replacement: '`discoveryAddress` in `proxy.istio.io/config`',
      },
      { name: 'sidecar.istio.io/extraStatTags', resources: ['Pod'], deprecated: true },
      {
        name: 'sidecar.istio.io/inject',
        resources: ['Pod'],
        deprecated: true,
        replacement: 'the pod template label `sidecar.istio.io/inject`',
      },
      { name: 'sidecar.istio.io/interceptionMode', resources: ['Pod'], value: 'interception-mode' },
      { name: 'sidecar.istio.io/logLevel', resources: ['Pod'] },
      { name: 'sidecar.istio.io/nativeSidecar', resources: ['Pod'] },
      { name: 'sidecar.istio.io/proxyCPU', resources: ['Pod'], value: 'quantity' },
      { name: 'sidecar.istio.io/proxyCPULimit', resources: ['Pod'], value: 'quantity' },
      { name: 'sidecar.istio.io/proxyImage', resources: ['Pod'] },
      { name: 'sidecar.istio.io/proxyImageType', resources: ['Pod'] },
      { name: 'sidecar.istio.io/proxyMemory', resources: ['Pod'], value: 'quantity' },
      { name: 'sidecar.istio.io/proxyMemoryLimit', resources: ['Pod'], value: 'quantity' },
      { name: 'sidecar.istio.io/rewriteAppHTTPProbers', resources: ['Pod'] },
      { name: 'sidecar.istio.io/statsCompression', resources: ['Pod'], deprecated: true },
      { name: 'sidecar.istio.io/statsEvictionInterval', resources: ['Pod'] },
      { name: 'sidecar.istio.io/statsFlushInterval', resources: ['Pod'] },
      { name: 'sidecar.istio.io/statsHistogramBins', resources: ['Pod'] },
      { name: 'sidecar.istio.io/statsHistogramBuckets', resources: ['Pod'] },
      {
        name: 'sidecar.istio.io/statsInclusionPrefixes',
        resources: ['Pod'],
        deprecated: true,
        replacement: '`proxyStatsMatcher.inclusionPrefixes` in `proxy.istio.io/config`',
      },
      {
        name: 'sidecar.istio.io/statsInclusionRegexps',
        resources: ['Pod'],
        deprecated: true,
        replacement: '`proxyStatsMatcher.inclusionRegexps` in `proxy.istio.io/config`',
      },
      {
        name: 'sidecar.istio.io/statsInclusionSuffixes',
        resources: ['Pod'],
        deprecated: true,
        replacement: '`proxyStatsMatcher.inclusionSuffixes` in `proxy.istio.io/config`',
      },
      { name: 'sidecar.istio.io/status', resources: ['Pod'] },
      { name: 'sidecar.istio.io/userVolume', resources: ['Pod'] },
      { name: 'sidecar.istio.io/userVolumeMount', resources: ['Pod'] },
      { name: 'status.sidecar.istio.io/port', resources: ['Pod'], value: 'port' },
      { name: 'topology.istio.io/controlPlaneClusters', resources: ['Namespace'] },
      { name: 'traffic.istio.io/nodeSelector', resources: ['Service'] },
      { name: 'traffic.sidecar.istio.io/excludeInboundPorts', resources: ['Pod'], value: 'ports' },
      { name: 'traffic.sidecar.istio.io/excludeInterfaces', resources: ['Pod'], value: 'interfaces' },
      { name: 'traffic.sidecar.istio.io/excludeOutboundIPRanges', resources: ['Pod'], value: 'cidrs' },
      { name: 'traffic.sidecar.istio.io/excludeOutboundPorts', resources: ['Pod'], value: 'ports' },
      { name: 'traffic.sidecar.istio.io/includeInboundPorts', resources: ['Pod'], value: 'ports-or-star' },
      { name: 'traffic.sidecar.istio.io/includeOutboundIPRanges', resources: ['Pod'], value: 'cidrs-or-star' },
      { name: 'traffic.sidecar.istio.io/includeOutboundPorts', resources: ['Pod'] },
      {
        name: 'traffic.sidecar.istio.io/kubevirtInterfaces',
        resources: ['Pod'],
        deprecated: true,
        replacement: '`istio.io/reroute-virtual-interfaces`',
        value: 'interfaces',
      },
    ] as IstioAnnotation[]
  ).map((a) => [a.name, a]),
);
