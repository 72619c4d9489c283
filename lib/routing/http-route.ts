import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';

import { VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch } from '../../imports/istio-networking.istio.io';
import { checkRe2 } from '../core/_re2';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkInteger,
  checkNonEmpty,
  checkPort,
  reject,
} from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IMeshService, resolveMeshServicePort } from '../core/mesh-service';
import { istioDuration } from './_istio-duration';
import { checkPercent, Percent } from './percent';
import { checkHeaderName } from './traffic-policy';

const STRING_MATCH = typeMarker('StringMatch');
const PATH_REPLACEMENT = typeMarker('PathReplacement');

/** How a request attribute (uri, header, query parameter, method, authority) is matched. */
export class StringMatch {
  /** The whole value equals `value`, e.g. `StringMatch.exact('jason')`. */
  public static exact(value: string): StringMatch {
    return new StringMatch('exact', value);
  }

  /** The value starts with `value`, e.g. `StringMatch.prefix('/static')`. */
  public static prefix(value: string): StringMatch {
    return new StringMatch('prefix', value);
  }

  /**
   * The whole value matches an RE2 regular expression: checked with RE2 at synth, at most 1024 UTF-8 bytes;
   * name groups `(?P<name>...)`.
   */
  public static regex(value: string): StringMatch {
    return new StringMatch('regex', value);
  }

  /** True for a StringMatch, also one made by another copy of this library. */
  public static isStringMatch(x: unknown): x is StringMatch {
    return hasMarker(x, STRING_MATCH);
  }

  private constructor(
    /** exact, prefix or regex. */
    public readonly kind: 'exact' | 'prefix' | 'regex',
    /** The string or pattern. */
    public readonly value: string,
  ) {
    markInstance(this, STRING_MATCH);
  }
}

/**
 * One match condition of a route. All the fields given must hold (AND); a route's list of
 * conditions matches when any of them does (OR). At least one field.
 */
export interface HttpMatch {
  /**
   * The request path.
   * @default any path
   */
  readonly uri?: StringMatch;
  /**
   * Request headers by lower-case name, e.g. `{ 'end-user': StringMatch.exact('jason') }`.
   * `@request.auth.claims.<claim>` matches a JWT claim (gateway-bound routes only).
   * @default any headers
   */
  readonly headers?: Readonly<Record<string, StringMatch>>;
  /**
   * Query parameters by name.
   * @default any query
   */
  readonly queryParams?: Readonly<Record<string, StringMatch>>;
  /**
   * The HTTP method, e.g. `StringMatch.exact('GET')`.
   * @default any method
   */
  readonly method?: StringMatch;
  /**
   * The `Host`/`:authority` header.
   * @default any authority
   */
  readonly authority?: StringMatch;
  /**
   * The port the request was sent to (Istio `match.port`), e.g. 80 to treat a service's plain port apart.
   * Istio API only (an HTTPRoute chooses the port with its parent).
   * @default any port
   */
  readonly port?: number;
}

/** Where a route sends its share of requests. */
export interface RouteDestination {
  /**
   * The subset (version) to send to. The owning construct checks it names one of its own subsets
   * when it creates the DestinationRule.
   * @default the whole host, no subset
   */
  readonly subset?: string;
  /**
   * Share of the route's requests, a whole number 0-100. Required when a route has several
   * destinations (they must add up to 100); omitted from the manifest for a single destination.
   * @default 100 for a single destination
   */
  readonly weight?: number;
  /**
   * Destination port, by number or by name (`'grpc'`) among the routed service's `ports`; required when
   * the service has several (Istio IST0112).
   * @default the service's only port (left out of the manifest)
   */
  readonly port?: number | string;
}

/** Delays a share of the requests. */
export interface FaultDelay {
  /** How long to delay. */
  readonly fixedDelay: Duration;
  /**
   * Share of requests to delay.
   * @default Percent.ALL
   */
  readonly percentage?: Percent;
}

/** Aborts a share of the requests with an HTTP status. */
export interface FaultAbort {
  /** Status to answer with, 200-599. */
  readonly httpStatus: number;
  /**
   * Share of requests to abort.
   * @default Percent.ALL
   */
  readonly percentage?: Percent;
}

/** Fault injection; at least one of `delay`, `abort`. */
export interface FaultInjection {
  /**
   * A delay.
   * @default no delay
   */
  readonly delay?: FaultDelay;
  /**
   * An abort.
   * @default no abort
   */
  readonly abort?: FaultAbort;
}

/** Envoy retry conditions (`retryOn` tokens); HTTP status codes go in {@link RetryPolicy.retryOnStatusCodes}. */
export enum RetryOn {
  /** 5xx responses and connection failures. */
  SERVER_ERROR = '5xx',
  /** 502, 503, 504. */
  GATEWAY_ERROR = 'gateway-error',
  /** Reset, connection failure, refused stream. */
  RESET = 'reset',
  /** Connection failure. */
  CONNECT_FAILURE = 'connect-failure',
  /** 409 Conflict. */
  RETRIABLE_4XX = 'retriable-4xx',
  /** REFUSED_STREAM. */
  REFUSED_STREAM = 'refused-stream',
  /** The codes of `retryOnStatusCodes`. */
  RETRIABLE_STATUS_CODES = 'retriable-status-codes',
  /** gRPC cancelled. */
  CANCELLED = 'cancelled',
  /** gRPC deadline-exceeded. */
  DEADLINE_EXCEEDED = 'deadline-exceeded',
  /** gRPC internal. */
  INTERNAL = 'internal',
  /** gRPC resource-exhausted. */
  RESOURCE_EXHAUSTED = 'resource-exhausted',
  /** gRPC unavailable. */
  UNAVAILABLE = 'unavailable',
}

/** Retries of failed requests. */
export interface RetryPolicy {
  /** Number of retries, 1-1000. */
  readonly attempts: number;
  /**
   * Timeout of each try.
   * @default the route timeout
   */
  readonly perTryTimeout?: Duration;
  /**
   * Conditions that trigger a retry.
   * @default Istio's (connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes)
   */
  readonly retryOn?: readonly RetryOn[];
  /**
   * HTTP statuses that also trigger a retry (each 100-599), e.g. `[503]`.
   * @default none
   */
  readonly retryOnStatusCodes?: readonly number[];
}

/** Copies a share of the traffic to another destination, fire and forget. */
export interface Mirror {
  /**
   * The subset to mirror to.
   * @default no subset
   */
  readonly subset?: string;
  /**
   * The host to mirror to.
   * @default the routed service's host
   */
  readonly host?: string;
  /**
   * Port of the mirror host: a number, or a port name of the routed service when mirroring to it.
   * @default its only port
   */
  readonly port?: number | string;
  /**
   * Share of requests to mirror.
   * @default Percent.ALL
   */
  readonly percentage?: Percent;
}

/**
 * A new request path for a redirect or a rewrite: the whole path, or the part a prefix condition matched.
 */
export class PathReplacement {
  /** Replaces the whole path with `path` (starting with "/"), e.g. `PathReplacement.full('/productpage')`. */
  public static full(path: string): PathReplacement {
    return new PathReplacement('full', path);
  }

  /**
   * Replaces the prefix that the route's `uri` prefix condition matched with `prefix`, keeping the rest:
   * with `uri: StringMatch.prefix('/v1')`, `PathReplacement.prefix('/api')` turns `/v1/ratings` into
   * `/api/ratings`. The route must have exactly one condition, a `uri` prefix.
   */
  public static prefix(prefix: string): PathReplacement {
    return new PathReplacement('prefix', prefix);
  }

  /** True for a PathReplacement, also one made by another copy of this library. */
  public static isPathReplacement(x: unknown): x is PathReplacement {
    return hasMarker(x, PATH_REPLACEMENT);
  }

  private constructor(
    /** full or prefix. */
    public readonly kind: 'full' | 'prefix',
    /** The new path or prefix. */
    public readonly value: string,
  ) {
    markInstance(this, PATH_REPLACEMENT);
  }
}

/**
 * Changes to the headers of a request (before it is forwarded) or of a response (before it is returned).
 * Header names are HTTP tokens, compared case-insensitively; at least one field.
 */
export interface HeaderModifier {
  /**
   * Headers to set, replacing any value they have, e.g. `{ 'x-canary': 'true' }`.
   * @default none
   */
  readonly set?: Readonly<Record<string, string>>;
  /**
   * Headers to add, keeping any value they already have (the header then has several values).
   * @default none
   */
  readonly add?: Readonly<Record<string, string>>;
  /**
   * Names of headers to remove.
   * @default none
   */
  readonly remove?: readonly string[];
}

/** The redirect statuses both APIs accept (the Gateway API's enum; Istio takes any 3xx). */
const REDIRECT_STATUSES: readonly number[] = [301, 302, 303, 307, 308];

/**
 * Answers with a redirect instead of forwarding the request. A redirect route has no destinations,
 * and no fault, rewrite, mirror, timeout or retries. At least one of scheme, hostname, port, path.
 */
export interface HttpRedirect {
  /**
   * Scheme of the new URL, `http` or `https`.
   * @default the request's
   */
  readonly scheme?: string;
  /**
   * Host name of the new URL (a DNS name, no port).
   * @default the request's
   */
  readonly hostname?: string;
  /**
   * Port of the new URL.
   * @default the request's
   */
  readonly port?: number;
  /**
   * Path of the new URL. The Istio API (VirtualService) only replaces the whole path.
   * @default the request's
   */
  readonly path?: PathReplacement;
  /**
   * HTTP status of the redirect: 301, 302, 303, 307 or 308.
   * @default 302 (the Gateway API's default; written out in a VirtualService, whose own default is 301)
   */
  readonly statusCode?: number;
}

/** Rewrites the request before forwarding it. At least one field. */
export interface HttpRewrite {
  /**
   * New `Host`/`:authority` header.
   * @default unchanged
   */
  readonly hostname?: string;
  /**
   * New path. A whole-path replacement in a VirtualService needs Istio >= 1.18 (`uriRegexRewrite`).
   * @default unchanged
   */
  readonly path?: PathReplacement;
}

/** One HTTP route of a VirtualService: conditions, destinations and per-route behaviour. */
export interface HttpRouteOptions {
  /**
   * Route name, unique within the VirtualService (shows in access logs and Kiali).
   * @default no name
   */
  readonly name?: string;
  /**
   * Conditions, any of which selects this route. Routes are tried in order; the first one whose
   * conditions match wins, and a route without conditions matches everything.
   * @default every request
   */
  readonly match?: readonly HttpMatch[];
  /**
   * Destinations, at least one unless the route redirects.
   * @default none: only for a route with a `redirect`
   */
  readonly to?: readonly RouteDestination[];
  /**
   * Fault injection.
   * @default none
   */
  readonly fault?: FaultInjection;
  /**
   * Request timeout.
   * @default Istio's (none)
   */
  readonly timeout?: Duration;
  /**
   * Retries.
   * @default Istio's (2 attempts)
   */
  readonly retries?: RetryPolicy;
  /**
   * Traffic mirroring.
   * @default none
   */
  readonly mirror?: Mirror;
  /**
   * Changes to the request headers before the request is forwarded.
   * @default none
   */
  readonly requestHeaders?: HeaderModifier;
  /**
   * Changes to the response headers before the response is returned.
   * @default none
   */
  readonly responseHeaders?: HeaderModifier;
  /**
   * Answer with a redirect instead of forwarding (then no `to`).
   * @default no redirect
   */
  readonly redirect?: HttpRedirect;
  /**
   * Rewrite the host and/or path before forwarding.
   * @default no rewrite
   */
  readonly rewrite?: HttpRewrite;
}

/**
 * What an owning construct lets a route refer to.
 * @internal
 */
export interface RouteContext {
  /** Destination host of every route (the Service name or FQDN). */
  readonly host: string;
  /** The routed service, whose ports a destination names or numbers; without it only port numbers are taken. */
  readonly service?: IMeshService;
  /** Subsets the owner defines, or `undefined` when subsets are defined elsewhere and left to the analysis. */
  readonly knownSubsets?: readonly string[];
  /** The release the VirtualService is for (features newer than it are refused). */
  readonly release?: IstioRelease;
  /** The route is rendered for the Gateway API: skip the refusals that only concern a VirtualService. */
  readonly gatewayApi?: boolean;
}

/**
 * A route of a {@link VersionRouting}, as `addRoute()` and its shortcuts return it. Immutable.
 */
export class HttpRoute {
  /**
   * Validates `options` (throwing {@link InvalidInputError}s that name `scope` and `field`) and renders them.
   * @param field prop path used in messages, e.g. `routes[1]`
   * @internal
   */
  public static _create(
    scope: IConstruct,
    field: string,
    index: number,
    options: HttpRouteOptions,
    context: RouteContext,
  ): HttpRoute {
    return new HttpRoute(scope, field, index, options, context);
  }

  /** The route name, if any. */
  public readonly name?: string;
  /** Position in the VirtualService's `http` list (0 is tried first). */
  public readonly index: number;
  /** The subsets of the routed host this route sends (and mirrors) to, in order. */
  public readonly subsets: readonly string[];
  /** Whether the route has no conditions and so catches every request that reaches it. */
  public readonly catchAll: boolean;
  private readonly spec: VirtualServiceSpecHttp;

  private constructor(
    scope: IConstruct,
    field: string,
    index: number,
    options: HttpRouteOptions,
    context: RouteContext,
  ) {
    if (options === null || typeof options !== 'object') reject(scope, field, options, 'an HttpRouteOptions object');
    this.index = index;
    this.name = options.name === undefined ? undefined : checkNonEmpty(scope, `${field}.name`, options.name);
    this.catchAll = options.match === undefined;
    const match = options.match === undefined ? undefined : renderMatches(scope, `${field}.match`, options.match);
    checkRouteShape(scope, field, options);
    const to = options.to ?? [];
    const route = options.redirect === undefined ? renderDestinations(scope, `${field}.to`, to, context) : undefined;
    const mirror =
      options.mirror === undefined ? undefined : renderMirror(scope, `${field}.mirror`, options.mirror, context);
    this.subsets = [
      ...to.flatMap((d) => (d.subset === undefined ? [] : [d.subset])),
      ...(options.mirror?.subset !== undefined && (options.mirror.host ?? context.host) === context.host
        ? [options.mirror.subset]
        : []),
    ];
    const request =
      options.requestHeaders === undefined
        ? undefined
        : checkHeaderModifier(scope, `${field}.requestHeaders`, options.requestHeaders, 'request');
    const response =
      options.responseHeaders === undefined
        ? undefined
        : checkHeaderModifier(scope, `${field}.responseHeaders`, options.responseHeaders, 'response');
    this.spec = {
      name: this.name,
      match,
      redirect:
        options.redirect === undefined
          ? undefined
          : renderIstioRedirect(scope, `${field}.redirect`, options.redirect, context),
      rewrite:
        options.rewrite === undefined
          ? undefined
          : renderIstioRewrite(scope, `${field}.rewrite`, options.rewrite, context),
      fault: options.fault === undefined ? undefined : renderFault(scope, `${field}.fault`, options.fault),
      route,
      timeout: options.timeout === undefined ? undefined : istioDuration(scope, `${field}.timeout`, options.timeout),
      retries: options.retries === undefined ? undefined : renderRetries(scope, `${field}.retries`, options.retries),
      mirror: mirror?.mirror,
      mirrorPercentage: mirror?.mirrorPercentage,
      headers: request === undefined && response === undefined ? undefined : { request, response },
    };
  }

  /**
   * The `spec.http[]` entry, for the imported VirtualService class.
   * @internal
   */
  public _toSpec(): VirtualServiceSpecHttp {
    return this.spec;
  }
}

/**
 * Renders a list of match conditions; exported for constructs that build gateway routes.
 * @internal
 */
export function renderMatches(
  scope: IConstruct,
  field: string,
  matches: readonly HttpMatch[],
): VirtualServiceSpecHttpMatch[] {
  if (!Array.isArray(matches) || matches.length === 0) {
    reject(scope, field, matches, 'a non-empty list of HttpMatch conditions (omit `match` to match every request)');
  }
  return matches.map((m, i) => renderMatch(scope, `${field}[${i}]`, m));
}

function renderMatch(scope: IConstruct, field: string, m: HttpMatch): VirtualServiceSpecHttpMatch {
  if (m === null || typeof m !== 'object') reject(scope, field, m, 'an HttpMatch object');
  const empty =
    m.uri === undefined &&
    m.method === undefined &&
    m.authority === undefined &&
    m.port === undefined &&
    (m.headers === undefined || Object.keys(m.headers).length === 0) &&
    (m.queryParams === undefined || Object.keys(m.queryParams).length === 0);
  if (empty)
    reject(
      scope,
      field,
      m,
      'at least one of uri, headers, queryParams, method, authority, port (an empty condition matches everything: omit `match` instead)',
    );
  const map = (f: string, record: Readonly<Record<string, StringMatch>> | undefined, checkKey: (k: string) => void) => {
    if (record === undefined) return undefined;
    const entries = Object.entries(record);
    if (entries.length === 0) reject(scope, `${field}.${f}`, record, 'a non-empty map, or nothing');
    return Object.fromEntries(
      entries.map(([k, v]) => {
        checkKey(k);
        return [k, renderStringMatch(scope, `${field}.${f}.${k}`, v, f === 'headers' ? 'header' : 'query')];
      }),
    );
  };
  return {
    uri: m.uri === undefined ? undefined : renderStringMatch(scope, `${field}.uri`, m.uri, 'uri'),
    headers: map('headers', m.headers, (k) => checkMatchHeaderName(scope, `${field}.headers`, k)),
    queryParams: map('queryParams', m.queryParams, (k) =>
      checkNonEmpty(scope, `${field}.queryParams`, k, 'a non-empty query parameter name'),
    ),
    method: m.method === undefined ? undefined : renderStringMatch(scope, `${field}.method`, m.method, 'method'),
    authority:
      m.authority === undefined ? undefined : renderStringMatch(scope, `${field}.authority`, m.authority, 'authority'),
    port: m.port === undefined ? undefined : checkPort(scope, `${field}.port`, m.port),
  } as VirtualServiceSpecHttpMatch;
}

/** Header names in matches may also be pseudo-headers and JWT claims. */
function checkMatchHeaderName(scope: IConstruct, field: string, name: string): void {
  if (typeof name === 'string' && /^@request\.auth\.claims\.[^\s]+$/.test(name)) return;
  if (typeof name === 'string' && /^:(authority|method|path|scheme)$/.test(name)) return;
  checkHeaderName(scope, field, name);
}

function renderStringMatch(
  scope: IConstruct,
  field: string,
  sm: StringMatch,
  what: 'uri' | 'header' | 'query' | 'method' | 'authority',
) {
  if (!StringMatch.isStringMatch(sm)) reject(scope, field, sm, 'a StringMatch, e.g. StringMatch.exact("jason")');
  const v = sm.value;
  if (typeof v !== 'string') reject(scope, `${field}.${sm.kind}`, v, 'a string');
  switch (sm.kind) {
    case 'exact':
      if (what === 'uri' && !v.startsWith('/')) reject(scope, `${field}.exact`, v, 'a path starting with "/"');
      break;
    case 'prefix':
      if (v.length === 0)
        reject(scope, `${field}.prefix`, v, 'a non-empty prefix (omit the condition to match everything)');
      if (what === 'uri' && !v.startsWith('/')) reject(scope, `${field}.prefix`, v, 'a path prefix starting with "/"');
      break;
    case 'regex':
      if (v.length === 0) reject(scope, `${field}.regex`, v, 'a non-empty RE2 regular expression');
      // Envoy matches with RE2; Istio refuses patterns over 1024 bytes (its stand-in for RE2's program size).
      checkRe2(scope, `${field}.regex`, v, { maxBytes: 1024 });
      break;
  }
  return { [sm.kind]: v };
}

function renderDestinations(scope: IConstruct, field: string, to: readonly RouteDestination[], context: RouteContext) {
  if (!Array.isArray(to) || to.length === 0)
    reject(scope, field, to, 'a non-empty list of destinations, e.g. [{ subset: "v1" }]');
  const seen = new Set<string>();
  const ports: (number | undefined)[] = [];
  to.forEach((d, i) => {
    if (d === null || typeof d !== 'object') reject(scope, `${field}[${i}]`, d, 'a RouteDestination object');
    if (d.subset !== undefined) checkSubsetRef(scope, `${field}[${i}].subset`, d.subset, context);
    const port = routePort(scope, `${field}[${i}].port`, d.port, context);
    ports.push(port);
    const key = `${d.subset ?? ''}:${port ?? ''}`;
    if (seen.has(key))
      reject(scope, `${field}[${i}]`, d, 'each subset (and port) at most once per route (Kiali KIA1105)');
    seen.add(key);
  });
  if (to.length === 1) {
    const w = to[0].weight;
    if (w !== undefined && w !== 100) {
      reject(
        scope,
        `${field}[0].weight`,
        w,
        'nothing (or 100) for a single destination, which always gets every request',
      );
    }
  } else {
    let sum = 0;
    to.forEach((d, i) => {
      if (d.weight === undefined)
        reject(
          scope,
          `${field}[${i}].weight`,
          d.weight,
          'a whole number 0-100 on every destination when a route has several',
        );
      sum += checkInteger(scope, `${field}[${i}].weight`, d.weight, 0, 100);
    });
    if (sum !== 100) {
      reject(
        scope,
        `${field}[*].weight`,
        to.map((d) => d.weight),
        `weights adding up to 100 (found ${sum}); this library requires it, as every Istio sample and Kiali do, although Istio itself only needs a non-zero total`,
      );
    }
  }
  return to.map((d, i) => ({
    destination: {
      host: context.host,
      subset: d.subset,
      port: ports[i] === undefined ? undefined : { number: ports[i] },
    },
    weight: to.length > 1 ? d.weight : undefined,
  }));
}

/**
 * A destination's port number: a port of the routed service by name or number (required when it has
 * several), or, with no service known, a number as given.
 */
function routePort(
  scope: IConstruct,
  field: string,
  port: number | string | undefined,
  context: RouteContext,
): number | undefined {
  if (context.service !== undefined) return resolveMeshServicePort(scope, field, context.service, port);
  if (port === undefined) return undefined;
  if (typeof port === 'string')
    reject(scope, field, port, `a port number: a name only refers to a port of the routed service (${context.host})`);
  return checkPort(scope, field, port);
}

function checkSubsetRef(scope: IConstruct, field: string, subset: string, context: RouteContext): void {
  checkDnsLabel(scope, field, subset);
  if (context.knownSubsets && !context.knownSubsets.includes(subset)) {
    reject(
      scope,
      field,
      subset,
      `one of this construct's subsets: ${context.knownSubsets.join(', ') || '(none)'}; add it with addSubset() first`,
    );
  }
}

function renderFault(scope: IConstruct, field: string, fault: FaultInjection): VirtualServiceSpecHttp['fault'] {
  if (fault === null || typeof fault !== 'object' || (fault.delay === undefined && fault.abort === undefined)) {
    reject(scope, field, fault, 'at least one of delay, abort');
  }
  const { delay, abort } = fault;
  return {
    delay:
      delay === undefined
        ? undefined
        : {
            fixedDelay: istioDuration(scope, `${field}.delay.fixedDelay`, delay.fixedDelay),
            percentage: { value: checkPercent(scope, `${field}.delay.percentage`, delay.percentage ?? Percent.ALL) },
          },
    abort:
      abort === undefined
        ? undefined
        : {
            httpStatus: checkInteger(scope, `${field}.abort.httpStatus`, abort.httpStatus, 200, 599),
            percentage: { value: checkPercent(scope, `${field}.abort.percentage`, abort.percentage ?? Percent.ALL) },
          },
  };
}

const RETRY_ON_VALUES: readonly string[] = Object.values(RetryOn);

function renderRetries(scope: IConstruct, field: string, retries: RetryPolicy): VirtualServiceSpecHttp['retries'] {
  if (retries === null || typeof retries !== 'object') reject(scope, field, retries, 'a RetryPolicy object');
  checkInteger(scope, `${field}.attempts`, retries.attempts, 1, 1000);
  const tokens: string[] = [];
  if (retries.retryOn !== undefined) {
    if (!Array.isArray(retries.retryOn) || retries.retryOn.length === 0)
      reject(scope, `${field}.retryOn`, retries.retryOn, 'a non-empty list of RetryOn values, or nothing');
    retries.retryOn.forEach((t, i) => {
      if (!RETRY_ON_VALUES.includes(t))
        reject(scope, `${field}.retryOn[${i}]`, t, `one of ${RETRY_ON_VALUES.join(', ')}`);
      tokens.push(t);
    });
  }
  if (retries.retryOnStatusCodes !== undefined) {
    if (!Array.isArray(retries.retryOnStatusCodes) || retries.retryOnStatusCodes.length === 0) {
      reject(
        scope,
        `${field}.retryOnStatusCodes`,
        retries.retryOnStatusCodes,
        'a non-empty list of HTTP statuses, or nothing',
      );
    }
    retries.retryOnStatusCodes.forEach((c, i) =>
      tokens.push(String(checkInteger(scope, `${field}.retryOnStatusCodes[${i}]`, c, 100, 599))),
    );
  }
  if (new Set(tokens).size !== tokens.length) reject(scope, `${field}.retryOn`, tokens, 'each condition at most once');
  return {
    attempts: retries.attempts,
    perTryTimeout:
      retries.perTryTimeout === undefined
        ? undefined
        : istioDuration(scope, `${field}.perTryTimeout`, retries.perTryTimeout),
    retryOn: tokens.length > 0 ? tokens.join(',') : undefined,
  };
}

function renderMirror(scope: IConstruct, field: string, mirror: Mirror, context: RouteContext) {
  if (mirror === null || typeof mirror !== 'object') reject(scope, field, mirror, 'a Mirror object');
  if (mirror.subset === undefined && mirror.host === undefined) {
    reject(
      scope,
      field,
      mirror,
      'a subset and/or a host to mirror to (mirroring a route to itself doubles its traffic)',
    );
  }
  if (mirror.host !== undefined) checkDnsSubdomain(scope, `${field}.host`, mirror.host);
  // A subset of another host is that host's business; only our own host's subsets are known here.
  const ownHost = mirror.host === undefined || mirror.host === context.host;
  if (mirror.subset !== undefined)
    checkSubsetRef(scope, `${field}.subset`, mirror.subset, ownHost ? context : { host: context.host });
  // Another host's ports are not known here (the mesh analysis checks them): only a number then.
  const port = routePort(scope, `${field}.port`, mirror.port, ownHost ? context : { host: context.host });
  return {
    mirror: {
      host: mirror.host ?? context.host,
      subset: mirror.subset,
      port: port === undefined ? undefined : { number: port },
    },
    mirrorPercentage: { value: checkPercent(scope, `${field}.percentage`, mirror.percentage ?? Percent.ALL) },
  };
}

/**
 * Runs the checks every route gets whichever API renders it (the Gateway API renderer runs them first,
 * so both APIs word a bad route the same); subset names are left to the caller, and the refusals that
 * only concern a VirtualService are skipped.
 * @internal
 */
export function validateRoute(
  scope: IConstruct,
  field: string,
  options: HttpRouteOptions,
  service?: IMeshService,
): void {
  HttpRoute._create(scope, field, 0, options, { host: 'validation.invalid', service, gatewayApi: true });
}

/** The route-level rules shared by both APIs: what a redirect excludes, what a prefix replacement needs. */
function checkRouteShape(scope: IConstruct, field: string, options: HttpRouteOptions): void {
  if (options.redirect !== undefined) {
    const r = options.redirect;
    if (r === null || typeof r !== 'object') reject(scope, `${field}.redirect`, r, 'an HttpRedirect object');
    if (options.to !== undefined && (!Array.isArray(options.to) || options.to.length > 0))
      reject(scope, `${field}.to`, options.to, 'no destinations on a redirect route (it answers the request itself)');
    for (const f of ['fault', 'rewrite', 'mirror', 'timeout', 'retries'] as const) {
      if (options[f] !== undefined)
        reject(scope, `${field}.${f}`, options[f], `no ${f} on a redirect route (it forwards nothing)`);
    }
    if (r.path !== undefined) checkPathReplacement(scope, `${field}.redirect.path`, r.path, options);
  } else if (options.to === undefined) {
    reject(
      scope,
      `${field}.to`,
      options.to,
      'a non-empty list of destinations, e.g. [{ subset: "v1" }], or a redirect',
    );
  }
  if (options.rewrite !== undefined) {
    const rw = options.rewrite;
    if (rw === null || typeof rw !== 'object' || (rw.hostname === undefined && rw.path === undefined))
      reject(scope, `${field}.rewrite`, rw, 'an HttpRewrite with a hostname and/or a path');
    if (rw.hostname !== undefined) checkDnsSubdomain(scope, `${field}.rewrite.hostname`, rw.hostname);
    if (rw.path !== undefined) checkPathReplacement(scope, `${field}.rewrite.path`, rw.path, options);
    const setsHost = [options.requestHeaders?.set, options.requestHeaders?.add].some(
      (m) => m !== undefined && m !== null && Object.keys(m).some((k) => k.toLowerCase() === 'host'),
    );
    if (rw.hostname !== undefined && setsHost)
      reject(scope, `${field}.requestHeaders`, 'host', 'the host set in one place only: rewrite.hostname or a header');
  }
}

function checkPathReplacement(scope: IConstruct, field: string, p: PathReplacement, options: HttpRouteOptions): void {
  if (!PathReplacement.isPathReplacement(p))
    reject(scope, field, p, 'a PathReplacement, e.g. PathReplacement.full("/productpage")');
  const v = p.value;
  if (typeof v !== 'string' || !v.startsWith('/') || v.length > 1024 || /[\s?#]/.test(v) || hasControlChar(v))
    reject(
      scope,
      `${field}.${p.kind}`,
      v,
      'a path starting with "/", at most 1024 characters, without whitespace, "?" or "#"',
    );
  if (p.kind === 'prefix') {
    const m = options.match;
    if (m === undefined || m.length !== 1 || m[0]?.uri?.kind !== 'prefix')
      reject(
        scope,
        `${field}.prefix`,
        v,
        'a prefix replacement on a route with exactly one condition, a uri prefix (it replaces what that prefix matched)',
      );
  }
}

/**
 * Checks a header modifier against the rules of both APIs and renders it (the VirtualService shape).
 * @internal
 */
export function checkHeaderModifier(
  scope: IConstruct,
  field: string,
  mod: HeaderModifier,
  direction: 'request' | 'response',
): { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] } {
  if (
    mod === null ||
    typeof mod !== 'object' ||
    (mod.set === undefined && mod.add === undefined && mod.remove === undefined)
  )
    reject(scope, field, mod, 'a HeaderModifier with at least one of set, add, remove');
  const seen = new Set<string>();
  const checkName = (f: string, name: string, removing: boolean) => {
    if (typeof name !== 'string' || !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/.test(name))
      reject(scope, f, name, 'an HTTP header name (RFC 7230 token, at most 256 characters, no pseudo-headers)');
    const lower = name.toLowerCase();
    // Istio refuses to remove Host, or to touch it on a response.
    if (lower === 'host' && (removing || direction === 'response'))
      reject(
        scope,
        f,
        name,
        `a header other than Host (${removing ? 'it cannot be removed' : 'it is a request header'})`,
      );
    if (seen.has(lower)) reject(scope, f, name, 'each header once per modifier (names are case-insensitive)');
    seen.add(lower);
  };
  const values = (f: string, record: Readonly<Record<string, string>> | undefined) => {
    if (record === undefined) return undefined;
    if (record === null || typeof record !== 'object' || Object.keys(record).length === 0)
      reject(scope, `${field}.${f}`, record, 'a non-empty map of header name to value, or nothing');
    for (const [k, v] of Object.entries(record)) {
      checkName(`${field}.${f}`, k, false);
      // Envoy reads %...% as a variable: an odd count of "%" is refused by Istio.
      if (typeof v !== 'string' || v.length > 4096 || hasControlChar(v) || (v.split('%').length - 1) % 2 !== 0)
        reject(
          scope,
          `${field}.${f}.${k}`,
          v,
          'a header value of at most 4096 characters, without control characters, with "%" only in %VARIABLE% pairs',
        );
    }
    return { ...record };
  };
  const set = values('set', mod.set);
  const add = values('add', mod.add);
  let remove: string[] | undefined;
  if (mod.remove !== undefined) {
    if (!Array.isArray(mod.remove) || mod.remove.length === 0)
      reject(scope, `${field}.remove`, mod.remove, 'a non-empty list of header names, or nothing');
    mod.remove.forEach((n, i) => checkName(`${field}.remove[${i}]`, n, true));
    remove = [...mod.remove];
  }
  return { set, add, remove };
}

function redirectStatus(scope: IConstruct, field: string, r: HttpRedirect): number {
  const code = r.statusCode ?? 302;
  if (!REDIRECT_STATUSES.includes(code))
    reject(scope, `${field}.statusCode`, code, `one of ${REDIRECT_STATUSES.join(', ')}`);
  return code;
}

/**
 * Checks a redirect against the rules of both APIs.
 * @internal
 */
export function checkRedirect(scope: IConstruct, field: string, r: HttpRedirect): number {
  if (r.scheme === undefined && r.hostname === undefined && r.port === undefined && r.path === undefined)
    reject(scope, field, r, 'an HttpRedirect with at least one of scheme, hostname, port, path');
  if (r.scheme !== undefined && r.scheme !== 'http' && r.scheme !== 'https')
    reject(scope, `${field}.scheme`, r.scheme, '"http" or "https"');
  if (r.hostname !== undefined) checkDnsSubdomain(scope, `${field}.hostname`, r.hostname);
  if (r.port !== undefined) checkPort(scope, `${field}.port`, r.port);
  return redirectStatus(scope, field, r);
}

function renderIstioRedirect(
  scope: IConstruct,
  field: string,
  r: HttpRedirect,
  context: RouteContext,
): VirtualServiceSpecHttp['redirect'] {
  const code = checkRedirect(scope, field, r);
  if (r.path?.kind === 'prefix' && !context.gatewayApi)
    reject(
      scope,
      `${field}.path`,
      r.path.value,
      'PathReplacement.full(): the Istio API (VirtualService) redirect has no prefix replacement (the Gateway API has)',
    );
  return { scheme: r.scheme, authority: r.hostname, port: r.port, uri: r.path?.value, redirectCode: code };
}

function renderIstioRewrite(
  scope: IConstruct,
  field: string,
  rw: HttpRewrite,
  context: RouteContext,
): VirtualServiceSpecHttp['rewrite'] {
  const path = rw.path;
  if (path?.kind === 'full' && !context.gatewayApi && context.release?.minor === '1.17')
    reject(
      scope,
      `${field}.path`,
      path.value,
      'a prefix replacement: a whole-path rewrite in the Istio API (VirtualService uriRegexRewrite) needs Istio >= 1.18',
    );
  return {
    authority: rw.hostname,
    uri: path?.kind === 'prefix' ? path.value : undefined,
    // Envoy's regex_rewrite replaces the whole path when the pattern matches all of it.
    uriRegexRewrite: path?.kind === 'full' ? { match: '^/.*$', rewrite: path.value } : undefined,
    // The 1.17-era import lacks uriRegexRewrite (Istio 1.18+); the 1.17 case is refused above.
  } as VirtualServiceSpecHttp['rewrite'];
}

function hasControlChar(v: string): boolean {
  return [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}
