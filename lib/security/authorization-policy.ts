import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';

import { AuthorizationPolicyProps as GeneratedPolicyProps } from '../../imports/istio-security.istio.io';
import { AuthorizationPolicySpec } from '../../imports/istiov1-security.istio.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { isIstioIpBlock } from '../core/_cidr';
import { newIstioObject } from '../core/_istio-objects';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { GATEWAY_API_GROUP, IKubernetesGateway } from '../core/gateway';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkLabels,
  checkNonEmpty,
  checkPort,
  reject,
} from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IMeshService } from '../core/mesh-service';
import { IWorkloadIdentity, principalOf } from '../core/workload-identity';

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
   * a `Waypoint`, a `KubernetesGateway`, or `{ serviceAccountName, namespace }`.
   * @default any identity
   */
  readonly principals?: readonly IWorkloadIdentity[];
  /**
   * The callers' namespaces (as their mTLS certificates tell).
   * @default any namespace
   */
  readonly namespaces?: readonly string[];
  /**
   * The callers' IP addresses or CIDR ranges, e.g. `10.0.0.0/8` or `2001:db8::/32`, as Go's `netip` parses them.
   * @default any address
   */
  readonly ipBlocks?: readonly string[];
}

/** What a request asks for (all given fields must match; a list matches any of its entries). */
export interface AuthorizationOperation {
  /**
   * Destination ports (of the pod, not the Service).
   * @default any port
   */
  readonly ports?: readonly number[];
  /**
   * HTTP methods, upper case as sent, e.g. `GET` (L7: needs a waypoint or sidecar).
   * @default any method
   */
  readonly methods?: readonly string[];
  /**
   * URL paths: exact `/api/v1`, prefix `/api/*`, suffix `*.html`, any `*`, or templates with `{*}` and
   * a final `{**}` segment (L7: needs a waypoint or sidecar).
   * @default any path
   */
  readonly paths?: readonly string[];
  /**
   * Host headers, exact or with a leading or trailing `*`, e.g. `*.example.com` (L7: needs a waypoint or sidecar).
   * @default any host
   */
  readonly hosts?: readonly string[];
}

/** A rule: the request must match one of the sources (if any) and one of the operations (if any). */
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
}

/** A rule as {@link AuthorizationPolicy.addRule} keeps it. */
export interface AuthorizationRule {
  /** Sources (empty: any). */
  readonly from: readonly AuthorizationSource[];
  /** Operations (empty: any). */
  readonly to: readonly AuthorizationOperation[];
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
    const targets = props.targetRefs === undefined ? undefined : this.checkTargets(props.targetRefs);
    const defaultNamespace = selectorService?.namespace ?? (targets?.[0] ? targets[0].namespace : 'default');
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? defaultNamespace);

    let matchLabels: Record<string, string> | undefined;
    if (selectorService !== undefined) {
      checkDnsLabel(this, 'selector.serviceName', selectorService.serviceName);
      if (selectorService.namespace !== this.namespace) {
        reject(this, 'selector.namespace', selectorService.namespace, `the policy's namespace "${this.namespace}"`);
      }
      matchLabels = { app: selectorService.serviceName };
    } else if (props.selector !== undefined) {
      matchLabels = checkLabels(this, 'selector', props.selector as Readonly<Record<string, string>>);
      if (Object.keys(matchLabels).length === 0) {
        reject(this, 'selector', props.selector, 'at least one pod label (leave selector out for the whole namespace)');
      }
    }

    let targetRefs: AuthorizationPolicySpec['targetRefs'];
    if (targets !== undefined) {
      if (this.release.isOlderThan(IstioRelease.V1_30)) {
        reject(
          this,
          'targetRefs',
          this.release.toString(),
          'Istio 1.22 or later for targetRefs (the library supports them from IstioRelease.V1_30); use selector',
        );
      }
      targets.forEach((t, i) => {
        if (t.namespace !== this.namespace) {
          reject(
            this,
            `targetRefs[${i}].namespace`,
            t.namespace,
            `the policy's namespace "${this.namespace}" (Istio has no cross-namespace targetRefs)`,
          );
        }
      });
      targetRefs = targets.map((t) => ({ kind: t.kind, group: t.group, name: t.name }));
    }

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
    return this.checkAndAdd(`addRule(rules[${this.ruleList.length}])`, rule);
  }

  private checkAndAdd(field: string, rule: AuthorizationRuleOptions): AuthorizationRule {
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
      reject(this, field, rule, 'a rule: { from?, to? } ({} for every request)');
    }
    const from = checkList(this, `${field}.from`, rule.from, 'source').map((s, i) =>
      this.checkSource(`${field}.from[${i}]`, s),
    );
    const to = checkList(this, `${field}.to`, rule.to, 'operation').map((o, i) =>
      this.checkOperation(`${field}.to[${i}]`, o),
    );
    const checked: AuthorizationRule = { from, to };
    this.ruleList.push(checked);
    return checked;
  }

  private checkSource(field: string, source: AuthorizationSource): AuthorizationSource {
    if (source === null || typeof source !== 'object') reject(this, field, source, 'a source');
    const principals = checkList(this, `${field}.principals`, source.principals, 'identity');
    principals.forEach((p, i) => {
      const f = `${field}.principals[${i}]`;
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
      if (principals.slice(0, i).some((q) => principalOf(q, this.trustDomain) === principal)) {
        reject(this, f, principal, 'each identity at most once');
      }
    });
    const namespaces = checkList(this, `${field}.namespaces`, source.namespaces, 'namespace');
    namespaces.forEach((n, i) => checkDnsLabel(this, `${field}.namespaces[${i}]`, n));
    const ipBlocks = checkList(this, `${field}.ipBlocks`, source.ipBlocks, 'IP block');
    ipBlocks.forEach((b, i) => {
      if (!isIstioIpBlock(b)) {
        reject(
          this,
          `${field}.ipBlocks[${i}]`,
          b,
          'an IP address or CIDR range as Go parses it, e.g. "10.0.0.0/8" or "2001:db8::/32" (no leading zeros in IPv4 octets or prefix lengths)',
        );
      }
    });
    if (this.action === AuthorizationAction.CUSTOM && principals.length + namespaces.length > 0) {
      // Istio: the external authorizer is not given the peer identity, so these cannot be matched.
      reject(
        this,
        field,
        source,
        'with action CUSTOM, a source of ipBlocks only (Istio refuses principals and namespaces)',
      );
    }
    if (principals.length + namespaces.length + ipBlocks.length === 0) {
      reject(this, field, source, 'a source with principals, namespaces or ipBlocks (leave from out for any source)');
    }
    return {
      principals: principals.length ? principals : undefined,
      namespaces: namespaces.length ? namespaces : undefined,
      ipBlocks: ipBlocks.length ? ipBlocks : undefined,
    };
  }

  private checkOperation(field: string, op: AuthorizationOperation): AuthorizationOperation {
    if (op === null || typeof op !== 'object') reject(this, field, op, 'an operation');
    const ports = checkList(this, `${field}.ports`, op.ports, 'port');
    ports.forEach((p, i) => checkPort(this, `${field}.ports[${i}]`, p));
    const methods = checkList(this, `${field}.methods`, op.methods, 'method');
    methods.forEach((m, i) => {
      if (typeof m !== 'string' || (m !== '*' && !METHOD.test(m))) {
        reject(
          this,
          `${field}.methods[${i}]`,
          m,
          'an HTTP method in upper case, e.g. "GET" (methods match case-sensitively), or "*"',
        );
      }
    });
    const paths = checkList(this, `${field}.paths`, op.paths, 'path');
    paths.forEach((p, i) => this.checkPath(`${field}.paths[${i}]`, p));
    const hosts = checkList(this, `${field}.hosts`, op.hosts, 'host');
    hosts.forEach((h, i) => {
      if (typeof h !== 'string' || (h !== '*' && (!HOST.test(h) || (h.startsWith('*') && h.endsWith('*'))))) {
        reject(
          this,
          `${field}.hosts[${i}]`,
          h,
          'a host name, optionally with a port, exact or with one leading or trailing "*", e.g. "bookinfo.example.com" or "*.example.com"',
        );
      }
    });
    if (ports.length + methods.length + paths.length + hosts.length === 0) {
      reject(this, field, op, 'an operation with ports, methods, paths or hosts (leave to out for any operation)');
    }
    return {
      ports: ports.length ? ports : undefined,
      methods: methods.length ? methods : undefined,
      paths: paths.length ? paths : undefined,
      hosts: hosts.length ? hosts : undefined,
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

  private checkTargets(
    refs: ReadonlyArray<IMeshService | IKubernetesGateway>,
  ): { kind: string; group: string; name: string; namespace: string }[] {
    if (!Array.isArray(refs) || refs.length === 0) {
      reject(this, 'targetRefs', refs, 'a non-empty list of Services (IMeshService) and Gateways (IKubernetesGateway)');
    }
    const seen = new Set<string>();
    return refs.map((ref, i) => {
      const field = `targetRefs[${i}]`;
      if (ref === null || typeof ref !== 'object') {
        reject(
          this,
          field,
          ref,
          'an IMeshService (a Service) or an IKubernetesGateway (a Waypoint or KubernetesGateway)',
        );
      }
      const target = isMeshService(ref)
        ? {
            kind: 'Service',
            group: '',
            name: checkDnsLabel(this, `${field}.serviceName`, ref.serviceName),
            namespace: ref.namespace,
          }
        : {
            kind: 'Gateway',
            group: GATEWAY_API_GROUP,
            name: checkDnsSubdomain(this, `${field}.name`, (ref as IKubernetesGateway).name),
            namespace: (ref as IKubernetesGateway).namespace,
          };
      checkDnsLabel(this, `${field}.namespace`, target.namespace);
      const key = `${target.kind}/${target.name}`;
      if (seen.has(key)) reject(this, field, key, 'each target at most once');
      seen.add(key);
      return target;
    });
  }

  private renderRules(): unknown[] {
    return this.ruleList.map((rule) => {
      const from = rule.from.map((s) => ({
        source: {
          principals: s.principals?.map((p) => principalOf(p, this.trustDomain)),
          namespaces: s.namespaces === undefined ? undefined : [...s.namespaces],
          ipBlocks: s.ipBlocks === undefined ? undefined : [...s.ipBlocks],
        },
      }));
      const to = rule.to.map((o) => ({
        operation: {
          ports: o.ports?.map(String),
          methods: o.methods === undefined ? undefined : [...o.methods],
          paths: o.paths === undefined ? undefined : [...o.paths],
          hosts: o.hosts === undefined ? undefined : [...o.hosts],
        },
      }));
      return { from: from.length ? from : undefined, to: to.length ? to : undefined };
    });
  }
}

/** An IMeshService rather than a label map or a Gateway: it has a serviceName, a port and versions. */
function isMeshService(x: unknown): x is IMeshService {
  const o = x as IMeshService;
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof o.serviceName === 'string' &&
    typeof o.port === 'number' &&
    Array.isArray(o.versions)
  );
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
