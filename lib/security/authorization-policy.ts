import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';

import { AuthorizationPolicyProps as GeneratedPolicyProps } from '../../imports/istio-security.istio.io';
import { AuthorizationPolicySpec } from '../../imports/istiov1-security.istio.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { isIstioIpBlock } from '../core/_cidr';
import { newIstioObject } from '../core/_istio-objects';
import { checkedArgs, checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { IKubernetesGateway } from '../core/gateway';
import { checkDnsLabel, checkDnsSubdomain, checkNonEmpty, checkPort, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IMeshService } from '../core/mesh-service';
import { IWorkloadIdentity, principalOf } from '../core/workload-identity';
import { checkTargetRefs, isMeshService, renderTargetRefs, selectorLabels } from './_policy-scope';

/** What an AuthorizationPolicy does with the requests its rules match. */
export enum AuthorizationAction {
  /** Allow matching requests; once any ALLOW policy applies to a workload, everything else is denied. */
  ALLOW = 'ALLOW',
  /** Deny matching requests (DENY policies are evaluated before ALLOW ones). */
  DENY = 'DENY',
  /** Log matching requests for audit; decides nothing. */
  AUDIT = 'AUDIT',
  /** Ask the external authorizer named by `provider` (an extension provider of the mesh config). */
  CUSTOM = 'CUSTOM',
}

/** Who sends a request (all given fields must match; a list matches any of its entries). */
export interface AuthorizationSource {
  /**
   * The callers' workload identities (their mTLS certificates' ServiceAccounts): a `CurlClient`,
   * a `Waypoint`, a `KubernetesGateway`, or `{ serviceAccountName, namespace }`. Written as
   * principals `<trustDomain>/ns/<namespace>/sa/<name>`.
   * @default any identity
   */
  readonly principals?: readonly IWorkloadIdentity[];
  /**
   * Identities the caller must not have (`notPrincipals`).
   * @default no identity excluded
   */
  readonly notPrincipals?: readonly IWorkloadIdentity[];
  /**
   * The callers' ServiceAccounts, written `<namespace>/<name>` (Istio 1.26+; at most 16; not with
   * `principals`, `notPrincipals`, `namespaces` or `notNamespaces`, as Istio requires). Unlike
   * principals they hold in any trust domain.
   * @default any ServiceAccount
   */
  readonly serviceAccounts?: readonly IWorkloadIdentity[];
  /**
   * ServiceAccounts the caller must not have (`notServiceAccounts`, same rules as `serviceAccounts`).
   * @default no ServiceAccount excluded
   */
  readonly notServiceAccounts?: readonly IWorkloadIdentity[];
  /**
   * The trust domains of the callers' identities, exact or with one leading or trailing `*`, e.g.
   * `cluster.local` (no `/`).
   * @default any trust domain
   */
  readonly trustDomains?: readonly string[];
  /**
   * Trust domains the caller's identity must not have (`notTrustDomains`).
   * @default no trust domain excluded
   */
  readonly notTrustDomains?: readonly string[];
  /**
   * The requests' JWT principals `<iss>/<sub>`, as a RequestAuthentication validated them, exact or
   * with a leading or trailing `*` (`*` alone: any validated token). L7: needs a sidecar, a waypoint
   * or a gateway, and a RequestAuthentication for the workload (else nothing matches).
   * @default any request principal, or none
   */
  readonly requestPrincipals?: readonly string[];
  /**
   * JWT principals the request must not carry (`notRequestPrincipals`; `["*"]`: requests without a
   * valid token).
   * @default none excluded
   */
  readonly notRequestPrincipals?: readonly string[];
  /**
   * The callers' namespaces (as their mTLS certificates tell).
   * @default any namespace
   */
  readonly namespaces?: readonly string[];
  /**
   * Namespaces the caller must not be in (`notNamespaces`).
   * @default no namespace excluded
   */
  readonly notNamespaces?: readonly string[];
  /**
   * The callers' IP addresses or CIDR ranges, e.g. `10.0.0.0/8` or `2001:db8::/32`, as Go's `netip` parses them.
   * @default any address
   */
  readonly ipBlocks?: readonly string[];
  /**
   * Caller addresses excluded (`notIpBlocks`, same syntax as `ipBlocks`).
   * @default no address excluded
   */
  readonly notIpBlocks?: readonly string[];
  /**
   * The original client addresses, from `X-Forwarded-For` or the PROXY protocol (as the gateway's
   * `numTrustedProxies` tells), same syntax as `ipBlocks`.
   * @default any original address
   */
  readonly remoteIpBlocks?: readonly string[];
  /**
   * Original client addresses excluded (`notRemoteIpBlocks`).
   * @default no original address excluded
   */
  readonly notRemoteIpBlocks?: readonly string[];
}

/** What a request asks for (all given fields must match; a list matches any of its entries). */
export interface AuthorizationOperation {
  /**
   * Destination ports (of the pod, not the Service).
   * @default any port
   */
  readonly ports?: readonly number[];
  /**
   * Destination ports excluded (`notPorts`).
   * @default no port excluded
   */
  readonly notPorts?: readonly number[];
  /**
   * HTTP methods, upper case as sent, e.g. `GET` (L7: needs a waypoint or sidecar).
   * @default any method
   */
  readonly methods?: readonly string[];
  /**
   * HTTP methods excluded (`notMethods`, same syntax as `methods`).
   * @default no method excluded
   */
  readonly notMethods?: readonly string[];
  /**
   * URL paths: exact `/api/v1`, prefix `/api/*`, suffix `*.html`, any `*`, or templates with `{*}` and
   * a final `{**}` segment (L7: needs a waypoint or sidecar).
   * @default any path
   */
  readonly paths?: readonly string[];
  /**
   * URL paths excluded (`notPaths`, same syntax as `paths`).
   * @default no path excluded
   */
  readonly notPaths?: readonly string[];
  /**
   * Host headers, exact or with a leading or trailing `*`, e.g. `*.example.com` (L7: needs a waypoint or sidecar).
   * @default any host
   */
  readonly hosts?: readonly string[];
  /**
   * Host headers excluded (`notHosts`, same syntax as `hosts`).
   * @default no host excluded
   */
  readonly notHosts?: readonly string[];
}

/**
 * A further condition of a rule (`when`): an attribute of the request and the values it must (or
 * must not) have. The keys istiod accepts: `request.headers[<name>]`, `source.ip`, `remote.ip`,
 * `source.namespace`, `source.principal`, `source.serviceAccount`, `source.trustDomain`,
 * `request.auth.principal`, `request.auth.audiences`, `request.auth.presenter`,
 * `request.auth.claims[<name>]` (nested claims `request.auth.claims[a][b]`), `destination.ip`,
 * `destination.port`, `connection.sni` and `experimental.envoy.filters.<...>[<key>]`.
 */
export interface AuthorizationCondition {
  /** The attribute, e.g. `request.auth.claims[groups]` or `source.ip`. */
  readonly key: string;
  /**
   * Values any of which the attribute must have (IP addresses or CIDR ranges for `source.ip`,
   * `remote.ip` and `destination.ip`; port numbers for `destination.port`).
   * @default no requirement (then `notValues` is required)
   */
  readonly values?: readonly string[];
  /**
   * Values none of which the attribute may have.
   * @default none excluded (then `values` is required)
   */
  readonly notValues?: readonly string[];
}

/** A rule: the request must match one of the sources (if any), one of the operations (if any) and every condition. */
export interface AuthorizationRuleOptions {
  /**
   * Sources, any of which may match.
   * @default any source
   */
  readonly from?: readonly AuthorizationSource[];
  /**
   * Operations, any of which may match.
   * @default any operation
   */
  readonly to?: readonly AuthorizationOperation[];
  /**
   * Further conditions, all of which must hold.
   * @default none
   */
  readonly when?: readonly AuthorizationCondition[];
}

/** A rule as {@link AuthorizationPolicy.addRule} keeps it. */
export interface AuthorizationRule {
  /** Sources (empty: any). */
  readonly from: readonly AuthorizationSource[];
  /** Operations (empty: any). */
  readonly to: readonly AuthorizationOperation[];
  /** Conditions (empty: none). */
  readonly when: readonly AuthorizationCondition[];
}

/** Props for {@link AuthorizationPolicy}. */
export interface AuthorizationPolicyProps {
  /**
   * The Istio release whose objects to emit (`security.istio.io/v1` on 1.30). `targetRefs` needs
   * Istio 1.22 or later and is refused on `IstioRelease.V1_17`.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /** The policy's name, e.g. `productpage-ztunnel`. */
  readonly name: string;
  /**
   * The policy's namespace.
   * @default the namespace of the `selector` service or of the `targetRefs`, else 'default'
   */
  readonly namespace?: string;
  /**
   * The pods the policy applies to, enforced where their traffic arrives: pod labels, or an
   * {@link IMeshService} for `app: <serviceName>`. In ambient mode that is ztunnel, which enforces
   * L4 only (principals, namespaces, ipBlocks, ports): a rule with methods, paths or hosts cannot be
   * enforced there, and ztunnel then treats the ALLOW rule as matching nothing (a DENY rule as
   * matching everything). The construct does not refuse such a policy, as it is right for sidecar
   * pods; the mesh analysis reports it for ambient pods. Use `targetRefs` for L7 rules in ambient mode.
   * Not with `targetRefs`.
   * @default no selector
   */
  readonly selector?: Readonly<Record<string, string>> | IMeshService;
  /**
   * What the policy is attached to, enforced by the proxy serving it (L4 and L7 alike): a Service
   * ({@link IMeshService}), enforced by the waypoint it is enrolled in; or a Gateway API Gateway
   * ({@link IKubernetesGateway}: a `Waypoint` or an ingress `KubernetesGateway`), enforced by that
   * gateway for all its traffic. All in the policy's namespace (Istio has no cross-namespace
   * targetRefs). Not with `selector`.
   * @default no targetRefs
   */
  readonly targetRefs?: ReadonlyArray<IMeshService | IKubernetesGateway>;
  /**
   * What to do with matching requests. With neither `selector` nor `targetRefs` the policy applies
   * to every workload of its namespace (of the whole mesh in the root namespace).
   * @default AuthorizationAction.ALLOW
   */
  readonly action?: AuthorizationAction;
  /**
   * The extension provider (mesh config `extensionProviders[].name`) that decides, with
   * `AuthorizationAction.CUSTOM` (and only then).
   * @default none
   */
  readonly provider?: string;
  /**
   * The rules, any of which may match. An ALLOW policy without rules matches nothing, so it denies
   * every request to the workloads it applies to (a deny-all); an empty rule `{}` matches everything.
   * DENY, AUDIT and CUSTOM need at least one rule. Add more with `addRule()`.
   * @default none
   */
  readonly rules?: readonly AuthorizationRuleOptions[];
  /**
   * The mesh's trust domain, the first part of the principals written for `principals`.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
}

/** Props for {@link AuthorizationPolicy.allowNothing} and {@link AuthorizationPolicy.denyAll}. */
export interface AuthorizationPresetProps {
  /**
   * The policy's name.
   * @default 'allow-nothing' or 'deny-all'
   */
  readonly name?: string;
  /**
   * The policy's namespace (the root namespace, e.g. `istio-system`, for the whole mesh).
   * @default the namespace of the `selector` service or of the `targetRefs`, else 'default'
   */
  readonly namespace?: string;
  /**
   * The pods it applies to, as {@link AuthorizationPolicyProps.selector}.
   * @default every workload of the namespace
   */
  readonly selector?: Readonly<Record<string, string>> | IMeshService;
  /**
   * What it is attached to, as {@link AuthorizationPolicyProps.targetRefs}.
   * @default no targetRefs
   */
  readonly targetRefs?: ReadonlyArray<IMeshService | IKubernetesGateway>;
  /**
   * The Istio release whose objects to emit.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
}

function presetProps(props: AuthorizationPresetProps): Omit<AuthorizationPolicyProps, 'name'> {
  return { namespace: props.namespace, selector: props.selector, targetRefs: props.targetRefs, release: props.release };
}

const AUTHORIZATION_POLICY = typeMarker('AuthorizationPolicy');
const METHOD = /^[A-Z]+(-[A-Z]+)*$/;
const HOST = /^\*?[-A-Za-z0-9.]*[A-Za-z0-9](:[0-9]{1,5})?\*?$/;
/** RFC 3986 pchar, as Istio checks the literal segments of a path template. */
const PATH_LITERAL = /^([-A-Za-z0-9._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*$/;

/**
 * An Istio `AuthorizationPolicy` (`security.istio.io`): which requests the workloads it applies to
 * accept. Its two enforcement points:
 * - `selector` (pod labels or a service's `app` label): the pods' own proxy. In ambient mode that is
 *   ztunnel, which enforces L4 rules (principals, namespaces, ipBlocks, ports) only;
 * - `targetRefs` (a Service, a waypoint or a gateway): the waypoint or gateway, which enforces L7 rules
 *   (methods, paths, hosts) too.
 *
 * Callers are named by identity (`principals: [curl, waypoint]`), not by principal strings. A
 * ztunnel policy that admits only some callers must also admit the waypoint when one is in front of
 * the pods, since the waypoint is what connects to them.
 *
 * @example
 * new AuthorizationPolicy(chart, 'productpage-waypoint', {
 *   name: 'productpage-waypoint',
 *   targetRefs: [bookinfo.productpage],
 *   rules: [{ from: [{ principals: [curl] }], to: [{ methods: ['GET'] }] }],
 * });
 */
export class AuthorizationPolicy extends Construct {
  /** True for an AuthorizationPolicy, also one made by another copy of this library. */
  public static isAuthorizationPolicy(x: unknown): x is AuthorizationPolicy {
    return hasMarker(x, AUTHORIZATION_POLICY);
  }

  /**
   * Istio's `allow-nothing` policy: an ALLOW policy without rules (`spec: {}` but for the explicit
   * action), so every request to the workloads it applies to is denied until ALLOW policies admit
   * some. Namespace-wide unless `selector` or `targetRefs` is given; mesh-wide in the root namespace.
   */
  public static allowNothing(scope: Construct, id: string, props: AuthorizationPresetProps = {}): AuthorizationPolicy {
    return new AuthorizationPolicy(scope, id, { ...presetProps(props), name: props.name ?? 'allow-nothing' });
  }

  /**
   * Istio's `deny-all` policy: a DENY policy with the one rule `{}` that matches every request.
   * Unlike {@link AuthorizationPolicy.allowNothing}, no ALLOW policy can admit anything past it.
   */
  public static denyAll(scope: Construct, id: string, props: AuthorizationPresetProps = {}): AuthorizationPolicy {
    return new AuthorizationPolicy(scope, id, {
      ...presetProps(props),
      name: props.name ?? 'deny-all',
      action: AuthorizationAction.DENY,
      rules: [{}],
    });
  }

  /** The policy's name. */
  public readonly name: string;
  /** The policy's namespace. */
  public readonly namespace: string;
  /** The action. */
  public readonly action: AuthorizationAction;
  /** The emitted AuthorizationPolicy. */
  public readonly policy: ApiObject;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  private readonly trustDomain: string;
  private readonly ruleList: AuthorizationRule[] = [];

  constructor(scope: Construct, id: string, props: AuthorizationPolicyProps) {
    super(scope, id);
    props = checkedProps(this, 'AuthorizationPolicy', props);
    this.release = IstioRelease.of(this, props.release);
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    markInstance(this, AUTHORIZATION_POLICY);
    MeshAnalysis.of(this);

    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'AuthorizationPolicyProps');
    this.name = checkDnsSubdomain(this, 'name', props.name);
    this.trustDomain = checkDnsSubdomain(this, 'trustDomain', props.trustDomain ?? 'cluster.local');
    const actions = Object.values(AuthorizationAction);
    this.action = props.action ?? AuthorizationAction.ALLOW;
    if (!actions.includes(this.action)) reject(this, 'action', props.action, `one of ${actions.join(', ')}`);
    if (props.provider !== undefined && this.action !== AuthorizationAction.CUSTOM) {
      reject(this, 'provider', props.provider, 'no provider unless action is AuthorizationAction.CUSTOM');
    }
    if (this.action === AuthorizationAction.CUSTOM) {
      checkNonEmpty(this, 'provider', props.provider!, 'the name of an extension provider, with action CUSTOM');
    }

    if (props.selector !== undefined && props.targetRefs !== undefined) {
      reject(
        this,
        'targetRefs',
        '<given with selector>',
        'either selector or targetRefs, not both (Istio refuses both)',
      );
    }
    const selectorService = props.selector !== undefined && isMeshService(props.selector) ? props.selector : undefined;
    const targets = props.targetRefs === undefined ? undefined : checkTargetRefs(this, props.targetRefs);
    const defaultNamespace = selectorService?.namespace ?? (targets?.[0] ? targets[0].namespace : 'default');
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? defaultNamespace);

    const matchLabels = selectorLabels(this, 'selector', props.selector, this.namespace);
    const targetRefs: AuthorizationPolicySpec['targetRefs'] =
      targets === undefined ? undefined : renderTargetRefs(this, targets, this.namespace, this.release);

    // The spec is written with the v1 types (targetRefs); newIstioObject takes the shared v1beta1 shape.
    const spec: AuthorizationPolicySpec = {
      selector: matchLabels === undefined ? undefined : { matchLabels },
      targetRefs,
      action: this.action as unknown as AuthorizationPolicySpec['action'],
      provider: props.provider === undefined ? undefined : { name: props.provider },
      rules: Lazy.any({ produce: () => (this.ruleList.length === 0 ? undefined : this.renderRules()) }),
    };
    this.policy = newIstioObject('AuthorizationPolicy', this, 'AuthorizationPolicy', this.release, {
      metadata: { name: this.name, namespace: this.namespace },
      spec,
    } as unknown as GeneratedPolicyProps);

    // Istio refuses these without rules: they would never apply.
    if (this.action !== AuthorizationAction.ALLOW) {
      this.node.addValidation({
        validate: () =>
          this.ruleList.length === 0
            ? [
                `the ${this.action} AuthorizationPolicy "${this.name}" has no rules and would never apply: call addRule() (an empty rule {} matches every request)`,
              ]
            : [],
      });
    }
    if (props.rules !== undefined) {
      if (!Array.isArray(props.rules)) reject(this, 'rules', props.rules, 'a list of rules');
      props.rules.forEach((r, i) => this.checkAndAdd(`rules[${i}]`, r));
    }
  }

  /** The rules, in order. */
  public get rules(): readonly AuthorizationRule[] {
    return [...this.ruleList];
  }

  /** Adds a rule (any rule may match) and returns it. `{}` matches every request. */
  public addRule(rule: AuthorizationRuleOptions): AuthorizationRule {
    [rule] = checkedArgs(this, 'AuthorizationPolicy.addRule', [rule]) as [typeof rule];
    return this.checkAndAdd(`addRule(rules[${this.ruleList.length}])`, rule);
  }

  private checkAndAdd(field: string, rule: AuthorizationRuleOptions): AuthorizationRule {
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
      reject(this, field, rule, 'a rule: { from?, to?, when? } ({} for every request)');
    }
    const from = checkList(this, `${field}.from`, rule.from, 'source').map((s, i) =>
      this.checkSource(`${field}.from[${i}]`, s),
    );
    const to = checkList(this, `${field}.to`, rule.to, 'operation').map((o, i) =>
      this.checkOperation(`${field}.to[${i}]`, o),
    );
    const when = checkList(this, `${field}.when`, rule.when, 'condition').map((c, i) =>
      this.checkCondition(`${field}.when[${i}]`, c),
    );
    const checked: AuthorizationRule = { from, to, when };
    this.ruleList.push(checked);
    return checked;
  }

  private checkIdentities(field: string, list: readonly IWorkloadIdentity[] | undefined): readonly IWorkloadIdentity[] {
    const identities = checkList(this, field, list, 'identity');
    identities.forEach((p, i) => {
      const f = `${field}[${i}]`;
      if (p === null || typeof p !== 'object') {
        reject(
          this,
          f,
          p,
          'an IWorkloadIdentity such as a CurlClient, a Waypoint or { serviceAccountName, namespace }',
        );
      }
      checkDnsSubdomain(this, `${f}.serviceAccountName`, p.serviceAccountName);
      checkDnsLabel(this, `${f}.namespace`, p.namespace);
      const principal = principalOf(p, this.trustDomain);
      if (identities.slice(0, i).some((q) => principalOf(q, this.trustDomain) === principal)) {
        reject(this, f, principal, 'each identity at most once');
      }
    });
    return identities;
  }

  private checkIpBlocks(field: string, list: readonly string[] | undefined): readonly string[] {
    const blocks = checkList(this, field, list, 'IP block');
    blocks.forEach((b, i) => {
      if (!isIstioIpBlock(b)) {
        reject(
          this,
          `${field}[${i}]`,
          b,
          'an IP address or CIDR range as Go parses it, e.g. "10.0.0.0/8" or "2001:db8::/32" (no leading zeros in IPv4 octets or prefix lengths)',
        );
      }
    });
    return blocks;
  }

  private checkSource(field: string, source: AuthorizationSource): AuthorizationSource {
    if (source === null || typeof source !== 'object' || Array.isArray(source)) reject(this, field, source, 'a source');
    const checked: { -readonly [K in keyof AuthorizationSource]: AuthorizationSource[K] } = {};
    for (const key of ['principals', 'notPrincipals', 'serviceAccounts', 'notServiceAccounts'] as const) {
      const list = this.checkIdentities(`${field}.${key}`, source[key]);
      if (list.length > 0) checked[key] = list;
    }
    for (const key of ['serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains'] as const) {
      if (source[key] !== undefined && this.release.isOlderThan(IstioRelease.V1_30)) {
        reject(
          this,
          `${field}.${key}`,
          this.release.toString(),
          `a release whose AuthorizationPolicy has ${key} (IstioRelease.V1_30; ${this.release.toString()}'s CRD lacks it)`,
        );
      }
    }
    for (const key of ['serviceAccounts', 'notServiceAccounts'] as const) {
      if ((checked[key]?.length ?? 0) > 16) {
        reject(this, `${field}.${key}`, checked[key]!.length, 'at most 16 ServiceAccounts (Istio refuses more)');
      }
    }
    for (const key of ['requestPrincipals', 'notRequestPrincipals'] as const) {
      const list = checkList(this, `${field}.${key}`, source[key], 'request principal');
      list.forEach((p, i) => {
        if (typeof p !== 'string' || p.length === 0 || /\s/.test(p) || !wildcardOk(p)) {
          reject(
            this,
            `${field}.${key}[${i}]`,
            p,
            'a JWT principal "<iss>/<sub>", exact or with one leading or trailing "*", e.g. "testing@secure.istio.io/testing@secure.istio.io" or "*"',
          );
        }
      });
      if (list.length > 0) checked[key] = list;
    }
    for (const key of ['trustDomains', 'notTrustDomains'] as const) {
      const list = checkList(this, `${field}.${key}`, source[key], 'trust domain');
      list.forEach((d, i) => {
        if (typeof d !== 'string' || d.length === 0 || d.includes('/') || !wildcardOk(d)) {
          reject(
            this,
            `${field}.${key}[${i}]`,
            d,
            'a trust domain without "/", exact or with one leading or trailing "*", e.g. "cluster.local"',
          );
        }
      });
      if (list.length > 0) checked[key] = list;
    }
    for (const key of ['namespaces', 'notNamespaces'] as const) {
      const list = checkList(this, `${field}.${key}`, source[key], 'namespace');
      list.forEach((n, i) => checkDnsLabel(this, `${field}.${key}[${i}]`, n));
      if (list.length > 0) checked[key] = list;
    }
    for (const key of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const) {
      const list = this.checkIpBlocks(`${field}.${key}`, source[key]);
      if (list.length > 0) checked[key] = list;
    }
    const peer = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'] as const;
    if ((checked.serviceAccounts ?? checked.notServiceAccounts) && peer.some((k) => checked[k])) {
      reject(
        this,
        field,
        source,
        'serviceAccounts/notServiceAccounts without principals, notPrincipals, namespaces or notNamespaces (Istio refuses them together)',
      );
    }
    if (this.action === AuthorizationAction.CUSTOM) {
      const identity = [
        ...peer,
        'serviceAccounts',
        'notServiceAccounts',
        'trustDomains',
        'notTrustDomains',
        'requestPrincipals',
        'notRequestPrincipals',
      ] as const;
      if (identity.some((k) => checked[k])) {
        // Istio: not supported with the CUSTOM action.
        reject(
          this,
          field,
          source,
          'with action CUSTOM, a source of ipBlocks, notIpBlocks, remoteIpBlocks or notRemoteIpBlocks only (Istio refuses identities there)',
        );
      }
    }
    if (Object.keys(checked).length === 0) {
      reject(
        this,
        field,
        source,
        'a source with principals, serviceAccounts, requestPrincipals, namespaces, ipBlocks or remoteIpBlocks (or their not- forms; leave from out for any source)',
      );
    }
    return checked;
  }

  private checkOperation(field: string, op: AuthorizationOperation): AuthorizationOperation {
    if (op === null || typeof op !== 'object' || Array.isArray(op)) reject(this, field, op, 'an operation');
    const checked: { -readonly [K in keyof AuthorizationOperation]: AuthorizationOperation[K] } = {};
    for (const key of ['ports', 'notPorts'] as const) {
      const ports = checkList(this, `${field}.${key}`, op[key], 'port');
      ports.forEach((p, i) => checkPort(this, `${field}.${key}[${i}]`, p));
      if (ports.length > 0) checked[key] = ports;
    }
    for (const key of ['methods', 'notMethods'] as const) {
      const methods = checkList(this, `${field}.${key}`, op[key], 'method');
      methods.forEach((m, i) => {
        if (typeof m !== 'string' || (m !== '*' && !METHOD.test(m))) {
          reject(
            this,
            `${field}.${key}[${i}]`,
            m,
            'an HTTP method in upper case, e.g. "GET" (methods match case-sensitively), or "*"',
          );
        }
      });
      if (methods.length > 0) checked[key] = methods;
    }
    for (const key of ['paths', 'notPaths'] as const) {
      const paths = checkList(this, `${field}.${key}`, op[key], 'path');
      paths.forEach((p, i) => this.checkPath(`${field}.${key}[${i}]`, p));
      if (paths.length > 0) checked[key] = paths;
    }
    for (const key of ['hosts', 'notHosts'] as const) {
      const hosts = checkList(this, `${field}.${key}`, op[key], 'host');
      hosts.forEach((h, i) => {
        if (typeof h !== 'string' || (h !== '*' && (!HOST.test(h) || (h.startsWith('*') && h.endsWith('*'))))) {
          reject(
            this,
            `${field}.${key}[${i}]`,
            h,
            'a host name, optionally with a port, exact or with one leading or trailing "*", e.g. "bookinfo.example.com" or "*.example.com"',
          );
        }
      });
      if (hosts.length > 0) checked[key] = hosts;
    }
    if (Object.keys(checked).length === 0) {
      reject(
        this,
        field,
        op,
        'an operation with ports, methods, paths or hosts (or their not- forms; leave to out for any operation)',
      );
    }
    return checked;
  }

  /** istiod's `security.ValidateAttribute` for a `when` condition, and the CUSTOM action's limits. */
  private checkCondition(field: string, condition: AuthorizationCondition): AuthorizationCondition {
    if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
      reject(this, field, condition, 'a condition { key, values?, notValues? }');
    }
    const key = condition.key;
    const kind = typeof key === 'string' ? conditionKind(key) : undefined;
    if (kind === undefined) {
      reject(
        this,
        `${field}.key`,
        key,
        `one of the attributes istiod supports: ${CONDITION_KEYS} (map keys written "name[key]")`,
      );
    }
    if (this.action === AuthorizationAction.CUSTOM && (IDENTITY_KEYS.has(key) || key.startsWith('request.auth.'))) {
      reject(
        this,
        `${field}.key`,
        key,
        'with action CUSTOM, a key other than source.namespace, source.serviceAccount, source.trustDomain, source.principal and request.auth.* (Istio refuses them there)',
      );
    }
    const values = checkList(this, `${field}.values`, condition.values, 'value');
    const notValues = checkList(this, `${field}.notValues`, condition.notValues, 'value');
    if (values.length + notValues.length === 0) {
      reject(this, field, condition, 'a condition with values or notValues (Istio requires one of them)');
    }
    for (const [name, list] of [
      ['values', values],
      ['notValues', notValues],
    ] as const) {
      list.forEach((v, i) => {
        const f = `${field}.${name}[${i}]`;
        if (typeof v !== 'string' || v.length === 0) reject(this, f, v, 'a non-empty string');
        if (kind === 'ip' && !isIstioIpBlock(v)) {
          reject(this, f, v, `an IP address or CIDR range as Go parses it, for ${key}`);
        }
        if (kind === 'port' && !(/^[0-9]+$/.test(v) && Number(v) <= 65535)) {
          reject(this, f, v, 'a port number 0-65535 written as a string, for destination.port');
        }
        if (kind === 'serviceAccount' && !SERVICE_ACCOUNT_VALUE.test(v)) {
          reject(this, f, v, 'a ServiceAccount "name" or "namespace/name" without "*", for source.serviceAccount');
        }
        if (kind === 'trustDomain' && (v.includes('/') || !wildcardOk(v))) {
          reject(
            this,
            f,
            v,
            'a trust domain without "/", exact or with one leading or trailing "*", for source.trustDomain',
          );
        }
      });
    }
    return {
      key,
      values: values.length ? values : undefined,
      notValues: notValues.length ? notValues : undefined,
    };
  }

  /** Istio matches paths exactly, by `*` prefix or suffix, or by template (`CheckValidPathTemplate`). */
  private checkPath(field: string, path: string): void {
    const allowed =
      'a URL path: exact "/api", prefix "/api/*", suffix "*.html", "*", or a template such as "/api/{*}/info" or "/static/{**}" ({**} last)';
    if (
      typeof path !== 'string' ||
      path.length === 0 ||
      /\s/.test(path) ||
      !(path.startsWith('/') || path.startsWith('*'))
    ) {
      reject(this, field, path, allowed);
    }
    if (!/[{}]/.test(path)) return;
    const segments = path.replace(/^\/+|\/+$/g, '').split('/');
    let matchAny = false;
    for (const segment of segments) {
      if ((segment === '{*}' || segment === '{**}') && !matchAny) {
        matchAny = segment === '{**}';
        continue;
      }
      if (matchAny || /[{}]/.test(segment) || !PATH_LITERAL.test(segment)) reject(this, field, path, allowed);
    }
  }

  private renderRules(): unknown[] {
    const td = this.trustDomain;
    return this.ruleList.map((rule) => {
      const from = rule.from.map((s) => ({
        source: {
          principals: s.principals?.map((p) => principalOf(p, td)),
          notPrincipals: s.notPrincipals?.map((p) => principalOf(p, td)),
          serviceAccounts: s.serviceAccounts?.map((p) => `${p.namespace}/${p.serviceAccountName}`),
          notServiceAccounts: s.notServiceAccounts?.map((p) => `${p.namespace}/${p.serviceAccountName}`),
          trustDomains: copy(s.trustDomains),
          notTrustDomains: copy(s.notTrustDomains),
          requestPrincipals: copy(s.requestPrincipals),
          notRequestPrincipals: copy(s.notRequestPrincipals),
          namespaces: copy(s.namespaces),
          notNamespaces: copy(s.notNamespaces),
          ipBlocks: copy(s.ipBlocks),
          notIpBlocks: copy(s.notIpBlocks),
          remoteIpBlocks: copy(s.remoteIpBlocks),
          notRemoteIpBlocks: copy(s.notRemoteIpBlocks),
        },
      }));
      const to = rule.to.map((o) => ({
        operation: {
          ports: o.ports?.map(String),
          notPorts: o.notPorts?.map(String),
          methods: copy(o.methods),
          notMethods: copy(o.notMethods),
          paths: copy(o.paths),
          notPaths: copy(o.notPaths),
          hosts: copy(o.hosts),
          notHosts: copy(o.notHosts),
        },
      }));
      const when = rule.when.map((c) => ({ key: c.key, values: copy(c.values), notValues: copy(c.notValues) }));
      return {
        from: from.length ? from : undefined,
        to: to.length ? to : undefined,
        when: when.length ? when : undefined,
      };
    });
  }
}

function copy<T>(list: readonly T[] | undefined): T[] | undefined {
  return list === undefined ? undefined : [...list];
}

/** At most one `*`, and only at the start or the end (istiod's `CheckWildcardValues`; Envoy's prefix/suffix match). */
function wildcardOk(value: string): boolean {
  const stars = value.split('*').length - 1;
  return stars === 0 || value === '*' || (stars === 1 && (value.startsWith('*') || value.endsWith('*')));
}

/** The `when` keys istiod accepts (security.ValidateAttribute), by how their values are checked. */
type ConditionKind = 'string' | 'ip' | 'port' | 'serviceAccount' | 'trustDomain';
const EXACT_KEYS: Readonly<Record<string, ConditionKind>> = {
  'source.ip': 'ip',
  'remote.ip': 'ip',
  'source.namespace': 'string',
  'source.serviceAccount': 'serviceAccount',
  'source.principal': 'string',
  'source.trustDomain': 'trustDomain',
  'request.auth.principal': 'string',
  'request.auth.audiences': 'string',
  'request.auth.presenter': 'string',
  'destination.ip': 'ip',
  'destination.port': 'port',
  'connection.sni': 'string',
};
const IDENTITY_KEYS = new Set(['source.namespace', 'source.serviceAccount', 'source.trustDomain', 'source.principal']);
const CONDITION_KEYS =
  'request.headers[<name>], request.auth.claims[<name>], experimental.envoy.filters.<filter>[<key>], ' +
  Object.keys(EXACT_KEYS).join(', ');
const SERVICE_ACCOUNT_VALUE = /^([^/*]+\/)?[^/*]+$/;

/** istiod's `validateMapKey`: `<prefix>...[<key>]` with a non-empty key. */
function mapKeyOk(key: string): boolean {
  const open = key.indexOf('[');
  return key.endsWith(']') && open > 0 && open < key.length - 2;
}

function conditionKind(key: string): ConditionKind | undefined {
  if (key.startsWith('request.headers') || key.startsWith('request.auth.claims')) {
    return mapKeyOk(key) ? 'string' : undefined;
  }
  if (key.startsWith('experimental.envoy.filters.')) return mapKeyOk(key) ? 'string' : undefined;
  return EXACT_KEYS[key];
}

/** A given list's entries (none when absent); an empty list or repeated values are refused. */
function checkList<T>(scope: Construct, field: string, list: readonly T[] | undefined, what: string): readonly T[] {
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.length === 0) {
    reject(scope, field, list, `a non-empty list of ${what}s, or nothing`);
  }
  // Sources, operations and identities are objects: those are told apart by the caller, if at all.
  list.forEach((x, i) => {
    if ((typeof x === 'string' || typeof x === 'number') && list.indexOf(x) !== i) {
      reject(scope, `${field}[${i}]`, x, `each ${what} at most once`);
    }
  });
  return [...list];
}
