import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';

import { RequestAuthenticationSpec } from '../../imports/istiov1-security.istio.io';
import { checkedArgs, checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { IKubernetesGateway } from '../core/gateway';
import { checkDnsLabel, checkDnsSubdomain, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IMeshService } from '../core/mesh-service';
import { istioDuration } from '../routing/_istio-duration';
import { jwksUriProblem } from './_go-url';
import { checkTargetRefs, PolicySelector, renderTargetRefs, selectorLabels, selectorNamespace } from './_policy-scope';

/** A header a JWT may come in, e.g. `{ name: 'Authorization', prefix: 'Bearer ' }` (the default location). */
export interface JwtHeaderLocation {
  /** The header's name, e.g. `x-jwt-assertion`. */
  readonly name: string;
  /**
   * The prefix to strip before the token, e.g. `Bearer `.
   * @default none
   */
  readonly prefix?: string;
}

/** A claim of a validated token copied into a request header. */
export interface JwtClaimToHeader {
  /** The header to set, letters, digits, `-` and `_` only (istiod's rule), e.g. `x-jwt-group`. */
  readonly header: string;
  /** The claim, e.g. `group` (nested: `a.b`). */
  readonly claim: string;
}

/** How to validate the JWTs of one issuer. */
export interface JwtRule {
  /** The issuer (`iss` claim) of the tokens, e.g. `testing@secure.istio.io`. */
  readonly issuer: string;
  /**
   * The URL of the issuer's JSON Web Key Set, fetched by istiod: `http://` or `https://`, as Go's
   * `net/url` parses it. Not with `jwks`.
   * @default the issuer's OpenID discovery document, unless `jwks` is given
   */
  readonly jwksUri?: string;
  /**
   * The JSON Web Key Set inline, as JSON (`{"keys":[...]}`), public keys only. Not with `jwksUri`.
   * @default fetched from `jwksUri`
   */
  readonly jwks?: string;
  /**
   * The accepted audiences (`aud` claim).
   * @default any audience
   */
  readonly audiences?: readonly string[];
  /**
   * Headers the token may come in.
   * @default `Authorization: Bearer <token>`
   */
  readonly fromHeaders?: readonly JwtHeaderLocation[];
  /**
   * Query parameters the token may come in.
   * @default `access_token` (with the default header)
   */
  readonly fromParams?: readonly string[];
  /**
   * Cookies the token may come in.
   * @default none
   */
  readonly fromCookies?: readonly string[];
  /**
   * Pass the token on to the workload (by default the proxy removes it).
   * @default false
   */
  readonly forwardOriginalToken?: boolean;
  /**
   * Claims copied into request headers once the token is valid.
   * @default none
   */
  readonly outputClaimToHeaders?: readonly JwtClaimToHeader[];
  /**
   * A header the token's payload (base64) is written to once it is valid.
   * @default none
   */
  readonly outputPayloadToHeader?: string;
  /**
   * Claims that hold space-separated values (e.g. `scope`), matched value by value (at most 64).
   * @default `scope` and `permission` only
   */
  readonly spaceDelimitedClaims?: readonly string[];
  /**
   * How long istiod waits for the key set (at least 1 ms, whole milliseconds).
   * @default 5 seconds
   */
  readonly timeout?: Duration;
}

/** Props for {@link RequestAuthentication}. */
export interface RequestAuthenticationProps {
  /**
   * The Istio release whose objects to emit (`security.istio.io/v1` on 1.30). `targetRefs` needs
   * `IstioRelease.V1_30`.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /** The policy's name, e.g. `jwt-example`. */
  readonly name: string;
  /**
   * The policy's namespace (the root namespace, `istio-system`, for the whole mesh and its gateways).
   * @default the namespace of the `selector` service or of the `targetRefs`, else 'default'
   */
  readonly namespace?: string;
  /**
   * The pods whose proxies validate tokens: pod labels (e.g. `{ istio: 'ingressgateway' }` for the
   * ingress gateway) or an {@link IMeshService} for `app: <serviceName>`. Not with `targetRefs`.
   * @default every workload of the namespace (of the mesh in the root namespace)
   */
  readonly selector?: PolicySelector;
  /**
   * What the policy is attached to: Services (validated by their waypoint) or Gateway API Gateways,
   * in the policy's namespace. Not with `selector`.
   * @default no targetRefs
   */
  readonly targetRefs?: ReadonlyArray<IMeshService | IKubernetesGateway>;
  /**
   * The issuers whose tokens are validated. A request with an invalid token is refused (401); one
   * without a token passes, unauthenticated: pair this with an {@link AuthorizationPolicy} on
   * `requestPrincipals` to require one. Add more with `addJwtRule()`.
   * @default none
   */
  readonly jwtRules?: readonly JwtRule[];
}

const REQUEST_AUTHENTICATION = typeMarker('RequestAuthentication');
/** istiod's `ValidateStrictHTTPHeaderName`. */
const STRICT_HEADER = /^[-_A-Za-z0-9]+$/;
/** RFC 7230 token characters (istiod's header-name rule). */
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;

/**
 * An Istio `RequestAuthentication` (`security.istio.io`): which JSON Web Tokens the proxies of some
 * workloads (`selector`), of a namespace, of the mesh, or of a waypoint or gateway (`targetRefs`)
 * validate. It refuses requests with invalid tokens only; an {@link AuthorizationPolicy} with
 * `requestPrincipals` (or `when` on `request.auth.*`) is what requires a token. Routes may match
 * on the validated claims at a gateway (`@request.auth.claims.<name>` headers).
 *
 * @example
 * new RequestAuthentication(chart, 'jwt', {
 *   name: 'jwt-example',
 *   namespace: 'istio-system',
 *   selector: { istio: 'ingressgateway' },
 *   jwtRules: [{ issuer: 'testing@secure.istio.io', jwksUri: 'https://example.com/jwks.json' }],
 * });
 */
export class RequestAuthentication extends Construct {
  /** True for a RequestAuthentication, also one made by another copy of this library. */
  public static isRequestAuthentication(x: unknown): x is RequestAuthentication {
    return hasMarker(x, REQUEST_AUTHENTICATION);
  }

  /** The policy's name. */
  public readonly name: string;
  /** The policy's namespace. */
  public readonly namespace: string;
  /** The emitted RequestAuthentication. */
  public readonly requestAuthentication: ApiObject;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  private readonly rules: unknown[] = [];

  constructor(scope: Construct, id: string, props: RequestAuthenticationProps) {
    super(scope, id);
    props = checkedProps(this, 'RequestAuthentication', props);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'RequestAuthenticationProps');
    this.release = IstioRelease.of(this, props.release);
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    markInstance(this, REQUEST_AUTHENTICATION);
    this.name = checkDnsSubdomain(this, 'name', props.name);
    if (props.selector !== undefined && props.targetRefs !== undefined) {
      reject(
        this,
        'targetRefs',
        '<given with selector>',
        'either selector or targetRefs, not both (Istio refuses both)',
      );
    }
    const targets = props.targetRefs === undefined ? undefined : checkTargetRefs(this, props.targetRefs);
    this.namespace = checkDnsLabel(
      this,
      'namespace',
      props.namespace ?? selectorNamespace(props.selector) ?? targets?.[0]?.namespace ?? 'default',
    );
    const matchLabels = selectorLabels(this, 'selector', props.selector, this.namespace);
    const targetRefs =
      targets === undefined ? undefined : renderTargetRefs(this, targets, this.namespace, this.release);
    const spec: RequestAuthenticationSpec = {
      selector: matchLabels === undefined ? undefined : { matchLabels },
      targetRefs,
      jwtRules: Lazy.any({ produce: () => (this.rules.length === 0 ? undefined : this.rules) }) as never,
    };
    // A plain ApiObject: the generated classes rename `jwksUri` to its deprecated alias `jwks_uri`.
    this.requestAuthentication = new ApiObject(this, 'RequestAuthentication', {
      apiVersion: this.release.securityApiVersion,
      kind: 'RequestAuthentication',
      metadata: { name: this.name, namespace: this.namespace },
      spec,
    });
    if (props.jwtRules !== undefined) {
      if (!Array.isArray(props.jwtRules)) reject(this, 'jwtRules', props.jwtRules, 'a list of JwtRules');
      props.jwtRules.forEach((r, i) => this.checkAndAdd(`jwtRules[${i}]`, r));
    }
    this.node.addValidation({
      validate: () =>
        this.rules.length === 0
          ? [`the RequestAuthentication "${this.name}" has no jwtRules and validates nothing: call addJwtRule()`]
          : [],
    });
  }

  /** Adds the rule for one more issuer. */
  public addJwtRule(rule: JwtRule): void {
    [rule] = checkedArgs(this, 'RequestAuthentication.addJwtRule', [rule]) as [typeof rule];
    this.checkAndAdd(`addJwtRule(jwtRules[${this.rules.length}])`, rule);
  }

  private checkAndAdd(field: string, rule: JwtRule): void {
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
      reject(this, field, rule, 'a JwtRule { issuer, jwksUri? | jwks?, ... }');
    }
    const nonEmpty = (f: string, v: unknown, what = 'a non-empty string'): string => {
      if (typeof v !== 'string' || v.length === 0) reject(this, f, v, what);
      return v;
    };
    const list = <T>(f: string, v: readonly T[] | undefined, max = Infinity): T[] | undefined => {
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.length === 0 || v.length > max) {
        reject(this, f, v, `a non-empty list${Number.isFinite(max) ? ` of at most ${max}` : ''}, or nothing`);
      }
      return [...v];
    };
    nonEmpty(`${field}.issuer`, rule.issuer, 'the issuer (iss claim) of the tokens, a non-empty string');
    for (const key of ['fromCookies', 'spaceDelimitedClaims', 'timeout'] as const) {
      if (rule[key] !== undefined && this.release.isOlderThan(IstioRelease.V1_30)) {
        reject(
          this,
          `${field}.${key}`,
          this.release.toString(),
          `a release whose RequestAuthentication has ${key} (IstioRelease.V1_30; ${this.release.toString()}'s CRD lacks it)`,
        );
      }
    }
    if (this.rules.some((r) => (r as { issuer: string }).issuer === rule.issuer)) {
      reject(this, `${field}.issuer`, rule.issuer, 'each issuer in one rule (Istio would pick one of them)');
    }
    if (rule.jwksUri !== undefined && rule.jwks !== undefined) {
      reject(this, `${field}.jwks`, '<given with jwksUri>', 'either jwksUri or jwks, not both (Istio refuses both)');
    }
    if (rule.jwksUri !== undefined) {
      const uri = nonEmpty(`${field}.jwksUri`, rule.jwksUri);
      const problem = uri.length > 2048 ? 'longer than 2048 characters' : jwksUriProblem(uri);
      if (problem !== undefined) {
        reject(this, `${field}.jwksUri`, uri, `an http:// or https:// URL that Go's net/url parses (${problem})`);
      }
    }
    if (rule.jwks !== undefined) {
      nonEmpty(`${field}.jwks`, rule.jwks);
      if (!isJwks(rule.jwks)) {
        reject(this, `${field}.jwks`, rule.jwks, 'a JSON Web Key Set as JSON: {"keys":[{"kty":...}, ...]} or one key');
      }
    }
    const audiences = list(`${field}.audiences`, rule.audiences);
    audiences?.forEach((a, i) => nonEmpty(`${field}.audiences[${i}]`, a));
    const fromHeaders = list(`${field}.fromHeaders`, rule.fromHeaders)?.map((h, i) => {
      const f = `${field}.fromHeaders[${i}]`;
      if (h === null || typeof h !== 'object') reject(this, f, h, 'a header location { name, prefix? }');
      if (typeof h.name !== 'string' || !HEADER_TOKEN.test(h.name)) {
        reject(this, `${f}.name`, h.name, 'an HTTP header name (RFC 7230 token characters), e.g. "x-jwt-assertion"');
      }
      if (h.prefix !== undefined && typeof h.prefix !== 'string') reject(this, `${f}.prefix`, h.prefix, 'a string');
      return { name: h.name, prefix: h.prefix };
    });
    const fromParams = list(`${field}.fromParams`, rule.fromParams);
    fromParams?.forEach((p, i) => nonEmpty(`${field}.fromParams[${i}]`, p));
    const fromCookies = list(`${field}.fromCookies`, rule.fromCookies);
    fromCookies?.forEach((c, i) => nonEmpty(`${field}.fromCookies[${i}]`, c));
    if (rule.forwardOriginalToken !== undefined && typeof rule.forwardOriginalToken !== 'boolean') {
      reject(this, `${field}.forwardOriginalToken`, rule.forwardOriginalToken, 'true or false');
    }
    const outputClaimToHeaders = list(`${field}.outputClaimToHeaders`, rule.outputClaimToHeaders)?.map((o, i) => {
      const f = `${field}.outputClaimToHeaders[${i}]`;
      if (o === null || typeof o !== 'object') reject(this, f, o, 'a { header, claim }');
      if (typeof o.header !== 'string' || !STRICT_HEADER.test(o.header)) {
        reject(this, `${f}.header`, o.header, 'a header name of letters, digits, "-" and "_" (istiod\'s rule)');
      }
      nonEmpty(`${f}.claim`, o.claim);
      return { header: o.header, claim: o.claim };
    });
    if (rule.outputPayloadToHeader !== undefined && !HEADER_TOKEN.test(String(rule.outputPayloadToHeader))) {
      reject(this, `${field}.outputPayloadToHeader`, rule.outputPayloadToHeader, 'an HTTP header name');
    }
    const spaceDelimitedClaims = list(`${field}.spaceDelimitedClaims`, rule.spaceDelimitedClaims, 64);
    spaceDelimitedClaims?.forEach((c, i) => nonEmpty(`${field}.spaceDelimitedClaims[${i}]`, c));
    this.rules.push({
      issuer: rule.issuer,
      audiences,
      jwksUri: rule.jwksUri,
      jwks: rule.jwks,
      fromHeaders,
      fromParams,
      fromCookies,
      forwardOriginalToken: rule.forwardOriginalToken,
      outputClaimToHeaders,
      outputPayloadToHeader: rule.outputPayloadToHeader,
      spaceDelimitedClaims,
      timeout: rule.timeout === undefined ? undefined : istioDuration(this, `${field}.timeout`, rule.timeout),
    });
  }
}

/** A key set (or one key) as the JWK parser istiod uses accepts: JSON, keys with a `kty`. */
function isJwks(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  const isKey = (k: unknown) => k !== null && typeof k === 'object' && typeof (k as { kty?: unknown }).kty === 'string';
  if (parsed === null || typeof parsed !== 'object') return false;
  const keys = (parsed as { keys?: unknown }).keys;
  if (keys !== undefined) return Array.isArray(keys) && keys.length > 0 && keys.every(isKey);
  return isKey(parsed);
}
