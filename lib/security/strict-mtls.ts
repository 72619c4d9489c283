import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/istio-security.istio.io';
import { checkDnsLabel, reject } from '../core/input-validation';
import { TlsMode, TrafficPolicy } from '../routing/traffic-policy';

/** Props for {@link StrictMtls}. */
export interface StrictMtlsProps {
  /**
   * Require mTLS only for the workloads of this namespace. Omit it to require mTLS mesh-wide.
   * @default mesh-wide (the policy goes to `rootNamespace`)
   */
  readonly namespace?: string;
  /**
   * Istio's root namespace (`meshConfig.rootNamespace`): a PeerAuthentication there applies to the
   * whole mesh.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
}

/** Client TLS modes a sidecar under STRICT mTLS rejects: plain text, or TLS without a mesh certificate. */
const CONFLICTING_TLS_MODES: readonly string[] = ['DISABLE', 'SIMPLE', 'MUTUAL'];

/**
 * Requires mutual TLS for all traffic into the sidecars of the mesh, or of one namespace:
 * a `PeerAuthentication` named `default` with `mtls.mode: STRICT` and no selector, in the mesh
 * root namespace (mesh-wide) or in the given namespace. Plain-text requests from outside the mesh
 * (pods without a sidecar) are then refused.
 *
 * Clients in the mesh use mTLS on their own (auto mTLS). A DestinationRule that sets a client TLS
 * mode replaces that, so set it to `ISTIO_MUTUAL` ({@link StrictMtls.DESTINATION_TRAFFIC_POLICY},
 * e.g. as `VersionRouting`'s `trafficPolicy`) or leave `tls` out. At synth this construct fails
 * on a DestinationRule of the app that sends `DISABLE`, `SIMPLE` or `MUTUAL` to a host it covers
 * (those requests would get 503s; Kiali reports it as KIA0207/KIA0208), and on a second
 * namespace-wide PeerAuthentication in the same namespace (Istio keeps only the oldest).
 *
 * @example
 * new StrictMtls(chart, 'mtls');                            // mesh-wide, in istio-system
 * new StrictMtls(chart, 'bookinfo-mtls', { namespace: 'bookinfo' });
 */
export class StrictMtls extends Construct {
  /**
   * The DestinationRule traffic policy that matches STRICT mTLS: the mesh's own certificates,
   * as in Istio's `destination-rule-all-mtls.yaml`.
   */
  public static readonly DESTINATION_TRAFFIC_POLICY: TrafficPolicy = { tls: { mode: TlsMode.ISTIO_MUTUAL } };

  /** The namespace the PeerAuthentication lives in: the root namespace when mesh-wide. */
  public readonly namespace: string;
  /** Whether the policy applies to the whole mesh rather than one namespace. */
  public readonly meshWide: boolean;
  /** The emitted `PeerAuthentication` (name `default`). */
  public readonly peerAuthentication: PeerAuthentication;

  constructor(scope: Construct, id: string, props: StrictMtlsProps = {}) {
    super(scope, id);
    const rootNamespace = checkDnsLabel(this, 'rootNamespace', props.rootNamespace ?? 'istio-system');
    if (props.namespace !== undefined) {
      checkDnsLabel(this, 'namespace', props.namespace);
      if (props.namespace === rootNamespace) {
        reject(
          this,
          'namespace',
          props.namespace,
          `a namespace other than the mesh root namespace "${rootNamespace}" (a policy there is mesh-wide: omit namespace for that)`,
        );
      }
    }
    this.meshWide = props.namespace === undefined;
    this.namespace = props.namespace ?? rootNamespace;
    this.peerAuthentication = new PeerAuthentication(this, 'PeerAuthentication', {
      metadata: { name: 'default', namespace: this.namespace },
      spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
    this.node.addValidation({ validate: () => this.conflicts() });
  }

  /** Whether this policy covers a DestinationRule host (as resolved against the rule's namespace). */
  private covers(hostNamespace: string | undefined): boolean {
    if (hostNamespace === undefined) return false;
    return this.meshWide || hostNamespace === '*' || hostNamespace === this.namespace;
  }

  private conflicts(): string[] {
    const errors: string[] = [];
    const objects = apiObjects(this).map((obj) => ({ obj, json: obj.toJson() }));
    for (const { obj, json } of objects) {
      if (obj === this.peerAuthentication) continue;
      const ns: string = json.metadata?.namespace ?? 'default';
      if (obj.kind === 'PeerAuthentication' && ns === this.namespace && !json.spec?.selector) {
        errors.push(
          `[${obj.node.path}] metadata.namespace: "${ns}" is not allowed; expected a namespace without another namespace-wide PeerAuthentication: ${this.node.path} already requires STRICT mTLS there (Istio keeps only the oldest)`,
        );
      }
      if (obj.kind !== 'DestinationRule' || !this.covers(hostNamespace(json.spec?.host, ns))) continue;
      if (
        runsWithoutSidecar(
          json.spec.host,
          ns,
          objects.map((o) => o.json),
        )
      )
        continue;
      for (const [field, mode] of clientTlsModes(json.spec)) {
        if (CONFLICTING_TLS_MODES.includes(mode)) {
          errors.push(
            `[${obj.node.path}] spec.${field}: "${mode}" is not allowed; expected ISTIO_MUTUAL or no tls (auto mTLS) for host "${json.spec.host}": ${this.node.path} requires STRICT mTLS ${this.meshWide ? 'mesh-wide' : `in namespace "${this.namespace}"`}, so these requests would fail (Kiali KIA0207/KIA0208)`,
          );
        }
      }
    }
    return errors;
  }
}

/** Every ApiObject of the app this construct belongs to. */
function apiObjects(scope: IConstruct): ApiObject[] {
  return scope.node.root.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
}

/**
 * The namespace of the in-mesh host a DestinationRule targets: a short name is in the rule's
 * namespace, `name.ns.svc[.domain]` in `ns` (`*` for a wildcard). External hosts give undefined.
 */
function hostNamespace(host: unknown, ruleNamespace: string): string | undefined {
  if (typeof host !== 'string' || host === '') return undefined;
  if (host === '*') return '*';
  const labels = host.split('.');
  if (labels.length === 1) return ruleNamespace;
  const svc = labels.indexOf('svc');
  if (svc === 1 && labels[0] === '*') return '*';
  if (svc >= 2) return labels[svc - 1];
  return undefined;
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/**
 * Whether the host is a Service of the app whose pods all opt out of injection
 * (`sidecar.istio.io/inject: "false"`): such pods accept plain text whatever the PeerAuthentication
 * says, so a DestinationRule with `DISABLE` towards them is right, not a conflict.
 */
function runsWithoutSidecar(host: string, ruleNamespace: string, objects: any[]): boolean {
  const labels = host.split('.');
  const name = labels[0];
  const ns = labels.length === 1 ? ruleNamespace : labels[1];
  if (name === '*') return false;
  const service = objects.find(
    (o) => o.kind === 'Service' && o.metadata?.name === name && (o.metadata?.namespace ?? 'default') === ns,
  );
  const selector: Record<string, string> | undefined = service?.spec?.selector;
  if (!selector) return false;
  const pods = objects
    .filter((o) => WORKLOAD_KINDS.includes(o.kind) && (o.metadata?.namespace ?? 'default') === ns)
    .map((w) => w.spec?.template?.metadata ?? {})
    .filter((meta) => Object.entries(selector).every(([k, v]) => meta.labels?.[k] === v));
  const optedOut = (meta: any) =>
    meta.labels?.['sidecar.istio.io/inject'] === 'false' || meta.annotations?.['sidecar.istio.io/inject'] === 'false';
  return pods.length > 0 && pods.every(optedOut);
}

/** `[field path, tls mode]` of every client TLS setting in a DestinationRule spec. */
function clientTlsModes(spec: any): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const visit = (policy: any, at: string) => {
    if (!policy) return;
    if (policy.tls?.mode) out.push([`${at}.tls.mode`, policy.tls.mode]);
    (policy.portLevelSettings ?? []).forEach((p: any, i: number) => {
      if (p.tls?.mode) out.push([`${at}.portLevelSettings[${i}].tls.mode`, p.tls.mode]);
    });
  };
  visit(spec?.trafficPolicy, 'trafficPolicy');
  (spec?.subsets ?? []).forEach((s: any, i: number) => visit(s.trafficPolicy, `subsets[${i}].trafficPolicy`));
  return out;
}
