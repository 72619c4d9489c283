import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';

import {
  VirtualServiceSpecHttp,
  VirtualServiceSpecHttpCorsPolicyUnmatchedPreflights,
  VirtualServiceSpecHttpMatch,
  VirtualServiceSpecHttpRedirectDerivePort,
} from '../../imports/istiov1-networking.istio.io';
import { checkedArgs } from '../core/_props-check';
import { checkRe2 } from '../core/_re2';
import { recordEntries } from '../core/_records';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { gatewayReference, IGateway } from '../core/gateway';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkInteger,
  checkLabelKey,
  checkLabelValue,
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
const RESPONSE_BODY = typeMarker('ResponseBody');

/** The gateway name that means "the sidecars of the mesh" (`VersionRouting.MESH`). */
const MESH = 'mesh';

/** How a request attribute (uri, header, query parameter, method, authority) is matched. */
export class StringMatch {
  /** The whole value equals `value`, e.g. `StringMatch.exact('jason')`. */
  public static exact(value: string): StringMatch {
    [value] = checkedArgs('StringMatch.exact', 'StringMatch.static.exact', [value]) as [typeof value];
    return new StringMatch('exact', value);
  }

  /**
   * The header is there, whatever its value (Istio's empty StringMatch `{}`): in `headers` a presence
   * condition, in `withoutHeaders` an absence condition. Headers only; Istio API only.
   */
  public static present(): StringMatch {
    return new StringMatch('present', '');
  }

  /** The value starts with `value`, e.g. `StringMatch.prefix('/static')`. */
  public static prefix(value: string): StringMatch {
    [value] = checkedArgs('StringMatch.prefix', 'StringMatch.static.prefix', [value]) as [typeof value];
    return new StringMatch('prefix', value);
  }

  /**
   * The whole value matches an RE2 regular expression: checked with RE2 at synth, at most 1024 UTF-8 bytes;
   * name groups `(?P<name>...)`.
   */
  public static regex(value: string): StringMatch {
    [value] = checkedArgs('StringMatch.regex', 'StringMatch.static.regex', [value]) as [typeof value];
    return new StringMatch('regex', value);
  }

  /** True for a StringMatch, also one made by another copy of this library. */
  public static isStringMatch(x: unknown): x is StringMatch {
    return hasMarker(x, STRING_MATCH);
  }

  private constructor(
    /** exact, prefix, regex or present. */
    public readonly kind: 'exact' | 'prefix' | 'regex' | 'present',
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
  /**
   * The URI scheme (Istio `match.scheme`), e.g. `StringMatch.exact('https')`. Istio API only.
   * @default any scheme
   */
  readonly scheme?: StringMatch;
  /**
   * Headers that must NOT match (Istio `match.withoutHeaders`): the condition holds when none of these
   * headers matches its StringMatch. Names as in `headers`. Istio API only.
   * @default no negative header condition
   */
  readonly withoutHeaders?: Readonly<Record<string, StringMatch>>;
  /**
   * Match `uri` case-insensitively (Istio `match.ignoreUriCase`); needs a `uri` condition. Istio API only.
   * @default false: the path is matched case-sensitively
   */
  readonly ignoreUriCase?: boolean;
  /**
   * Only requests from workloads with these labels (Istio `match.sourceLabels`), e.g. `{ app: 'productpage' }`.
   * Istio API only.
   * @default any source workload
   */
  readonly sourceLabels?: Readonly<Record<string, string>>;
  /**
   * Only requests from workloads in this namespace (Istio `match.sourceNamespace`, a DNS-1123 label).
   * Istio API only.
   * @default any source namespace
   */
  readonly sourceNamespace?: string;
  /**
   * Only requests through these gateways (Istio `match.gateways`), each one of the VirtualService's own
   * `gateways` (the mesh, {@link VersionRouting.MESH}, when it has none): a Gateway construct, a
   * `'<namespace>/<name>'` or `'<name>'` string, or `'mesh'`. Istio API only.
   * @default every gateway of the VirtualService
   */
  readonly gateways?: ReadonlyArray<IGateway | string>;
  /**
   * Name of the condition (Istio `match.name`), joined to the route name in access logs. Istio API only.
   * @default no name
   */
  readonly name?: string;
  /**
   * Prefix of the Envoy route statistics for this condition (Istio `match.statPrefix`), e.g. `'reviews-v2'`.
   * Istio API only.
   * @default no route statistics
   */
  readonly statPrefix?: string;
}

/** Where a route sends its share of requests. */
export interface RouteDestination {
  /**
   * The host to send to (Istio `route[].destination.host`) when it is not the routed service: another
   * Service (`name`, `name.namespace`, or its FQDN) or a ServiceEntry host, e.g. an egress gateway's
   * Service. Its subsets and ports are not known to this construct: give the port as a number; the mesh
   * analysis checks the host, the subset and the port. In the Gateway API, a Service name in the route's
   * namespace.
   * @default the routed service's host
   */
  readonly host?: string;
  /**
   * The subset (version) to send to. The owning construct checks it names one of its own subsets
   * when it creates the DestinationRule.
   * @default the whole host, no subset
   */
  readonly subset?: string;
  /**
   * Share of the route's requests, a whole number 0-100. Required when a route has several
   * destinations (they must add up to 100); for a single destination only 100, written when given.
   * @default 100 for a single destination (left out of the manifest)
   */
  readonly weight?: number;
  /**
   * Destination port, by number or by name (`'grpc'`) among the routed service's `ports`; required when
   * the service has several (Istio IST0112).
   * @default the service's only port (left out of the manifest)
   */
  readonly port?: number | string;
  /**
   * Changes to the request headers when the request goes to this destination (Istio
   * `route[].headers.request`; a backendRef filter in the Gateway API).
   * @default none
   */
  readonly requestHeaders?: HeaderModifier;
  /**
   * Changes to the response headers when the response comes from this destination (Istio
   * `route[].headers.response`; a backendRef filter in the Gateway API).
   * @default none
   */
  readonly responseHeaders?: HeaderModifier;
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
  /**
   * HTTP status to answer with, 200-599 (Istio `fault.abort.httpStatus`); this or `grpcStatus`.
   * @default none: then `grpcStatus`
   */
  readonly httpStatus?: number;
  /**
   * gRPC status to answer with (Istio `fault.abort.grpcStatus`), e.g. `GrpcStatus.UNAVAILABLE`; this or
   * `httpStatus`.
   * @default none: then `httpStatus`
   */
  readonly grpcStatus?: GrpcStatus;
  /**
   * Share of requests to abort.
   * @default Percent.ALL
   */
  readonly percentage?: Percent;
}

/** The gRPC statuses istiod accepts for an abort fault (`fault.abort.grpcStatus`). */
export enum GrpcStatus {
  /** 0 */
  OK = 'OK',
  /** 1 */
  CANCELLED = 'CANCELLED',
  /** 2 */
  UNKNOWN = 'UNKNOWN',
  /** 3 */
  INVALID_ARGUMENT = 'INVALID_ARGUMENT',
  /** 4 */
  DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED',
  /** 5 */
  NOT_FOUND = 'NOT_FOUND',
  /** 6 */
  ALREADY_EXISTS = 'ALREADY_EXISTS',
  /** 7 */
  PERMISSION_DENIED = 'PERMISSION_DENIED',
  /** 8 */
  RESOURCE_EXHAUSTED = 'RESOURCE_EXHAUSTED',
  /** 9 */
  FAILED_PRECONDITION = 'FAILED_PRECONDITION',
  /** 10 */
  ABORTED = 'ABORTED',
  /** 11 */
  OUT_OF_RANGE = 'OUT_OF_RANGE',
  /** 12 */
  UNIMPLEMENTED = 'UNIMPLEMENTED',
  /** 13 */
  INTERNAL = 'INTERNAL',
  /** 14 */
  UNAVAILABLE = 'UNAVAILABLE',
  /** 15 */
  DATA_LOSS = 'DATA_LOSS',
  /** 16 */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
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
  /**
   * Retry on endpoints in other localities too (Istio `retries.retryRemoteLocalities`).
   * @default Istio's (false: retries stay in the locality of the first try)
   */
  readonly retryRemoteLocalities?: boolean;
  /**
   * Base interval between retries (Istio `retries.backoff`), at least 1 ms; not on Istio 1.17.
   * @default Envoy's (25 ms)
   */
  readonly backoff?: Duration;
  /**
   * Retry on other hosts than those tried before (Istio `retries.retryIgnorePreviousHosts`); not on Istio 1.17.
   * @default Istio's (true)
   */
  readonly retryIgnorePreviousHosts?: boolean;
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
 * The body of a direct response: text, or bytes (written base64-encoded, Istio `body.bytes`).
 */
export class ResponseBody {
  /** A text body (Istio `directResponse.body.string`), e.g. `ResponseBody.text('{"error":"gone"}')`. */
  public static text(text: string): ResponseBody {
    [text] = checkedArgs('ResponseBody.text', 'ResponseBody.static.text', [text]) as [typeof text];
    return new ResponseBody('string', text);
  }

  /** A binary body (Istio `directResponse.body.bytes`, base64 in the manifest). */
  public static bytes(bytes: Uint8Array): ResponseBody {
    [bytes] = checkedArgs('ResponseBody.bytes', 'ResponseBody.static.bytes', [bytes]) as [typeof bytes];
    return new ResponseBody('bytes', bytes);
  }

  /** True for a ResponseBody, also one made by another copy of this library. */
  public static isResponseBody(x: unknown): x is ResponseBody {
    return hasMarker(x, RESPONSE_BODY);
  }

  private constructor(
    /** string (text) or bytes. */
    public readonly kind: 'string' | 'bytes',
    /** The text or the bytes. */
    public readonly value: string | Uint8Array,
  ) {
    markInstance(this, RESPONSE_BODY);
  }
}

/** Answers the request itself with a fixed status and body (Istio `directResponse`). */
export interface DirectResponse {
  /** HTTP status of the answer (Istio `directResponse.status`), 200-599. */
  readonly status: number;
  /**
   * The body (Istio `directResponse.body`), at most 1 MiB.
   * @default no body
   */
  readonly body?: ResponseBody;
}

/**
 * A VirtualService a route hands its requests to (Istio `delegate`): a delegate VirtualService, one
 * without hosts, such as `VersionRouting` with `delegate: true` gives as `delegateTarget`.
 */
export interface DelegateTarget {
  /** The VirtualService name (Istio `delegate.name`). */
  readonly name: string;
  /**
   * Its namespace (Istio `delegate.namespace`).
   * @default the namespace of the delegating VirtualService
   */
  readonly namespace?: string;
}

/** What a CORS preflight that matches no origin of the policy gets (Istio `corsPolicy.unmatchedPreflights`). */
export enum UnmatchedPreflights {
  /** Forwarded to the destination, as any request. */
  FORWARD = 'FORWARD',
  /** Answered by Envoy without CORS headers: the browser refuses the request. */
  IGNORE = 'IGNORE',
}

/** Cross-origin resource sharing for a route (Istio `corsPolicy`). */
export interface CorsPolicy {
  /**
   * Origins allowed (Istio `corsPolicy.allowOrigins`), e.g. `[StringMatch.exact('https://example.com')]`;
   * at least one (a policy without origins lets no cross-origin request through).
   */
  readonly allowOrigins: readonly StringMatch[];
  /**
   * Methods allowed (Istio `corsPolicy.allowMethods`): GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT,
   * OPTIONS, TRACE, or `*`.
   * @default none beyond the CORS-safelisted ones
   */
  readonly allowMethods?: readonly string[];
  /**
   * Request headers allowed (Istio `corsPolicy.allowHeaders`): header names, or `*`.
   * @default none beyond the CORS-safelisted ones
   */
  readonly allowHeaders?: readonly string[];
  /**
   * Response headers the browser may read (Istio `corsPolicy.exposeHeaders`): header names, or `*`.
   * @default none beyond the CORS-safelisted ones
   */
  readonly exposeHeaders?: readonly string[];
  /**
   * How long a preflight's answer may be cached (Istio `corsPolicy.maxAge`), whole seconds.
   * @default the browser's
   */
  readonly maxAge?: Duration;
  /**
   * Let credentialed requests through (Istio `corsPolicy.allowCredentials`).
   * @default false
   */
  readonly allowCredentials?: boolean;
  /**
   * What a preflight matching no allowed origin gets (Istio `corsPolicy.unmatchedPreflights`). Istio API only.
   * @default Istio's (FORWARD)
   */
  readonly unmatchedPreflights?: UnmatchedPreflights;
}

/** How a redirect derives its port when `port` is not given (Istio `redirect.derivePort`). */
export enum RedirectPortDerivation {
  /** 80 for http, 443 for https. */
  FROM_PROTOCOL_DEFAULT = 'FROM_PROTOCOL_DEFAULT',
  /** The port the request came in on. */
  FROM_REQUEST_PORT = 'FROM_REQUEST_PORT',
}

/** A regular-expression rewrite of the path (Istio `rewrite.uriRegexRewrite`). */
export interface UriRegexRewrite {
  /** RE2 pattern of the part of the path to replace (Istio `uriRegexRewrite.match`), e.g. `'^/service/([^/]+)(/.*)$'`. */
  readonly match: string;
  /** The replacement (Istio `uriRegexRewrite.rewrite`), with `\\1`-style group references, e.g. `'\\2/instance/\\1'`. */
  readonly rewrite: string;
}

/**
 * A new request path for a redirect or a rewrite: the whole path, or the part a prefix condition matched.
 */
export class PathReplacement {
  /** Replaces the whole path with `path` (starting with "/"), e.g. `PathReplacement.full('/productpage')`. */
  public static full(path: string): PathReplacement {
    [path] = checkedArgs('PathReplacement.full', 'PathReplacement.static.full', [path]) as [typeof path];
    return new PathReplacement('full', path);
  }

  /**
   * Replaces the prefix that the route's `uri` prefix condition matched with `prefix`, keeping the rest:
   * with `uri: StringMatch.prefix('/v1')`, `PathReplacement.prefix('/api')` turns `/v1/ratings` into
   * `/api/ratings`. The route must have exactly one condition, a `uri` prefix.
   */
  public static prefix(prefix: string): PathReplacement {
    [prefix] = checkedArgs('PathReplacement.prefix', 'PathReplacement.static.prefix', [prefix]) as [typeof prefix];
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

/** The redirect statuses both APIs carry out (the Gateway API's enum; istiod accepts any 3xx but drops the others). */
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
   * Port of the new URL (Istio `redirect.port`).
   * @default the request's
   */
  readonly port?: number;
  /**
   * How the port of the new URL is chosen when `port` is not given (Istio `redirect.derivePort`);
   * not with `port`. Istio API only.
   * @default Istio's: the request's port
   */
  readonly derivePort?: RedirectPortDerivation;
  /**
   * Path of the new URL. The Istio API (VirtualService) only replaces the whole path.
   * @default the request's
   */
  readonly path?: PathReplacement;
  /**
   * HTTP status of the redirect (Istio `redirect.redirectCode`): 301, 302, 303, 307 or 308. istiod accepts
   * any 3xx, but Envoy redirects only with these five: for another code istiod drops the redirect.
   * @default 302 (the Gateway API's default; written out in a VirtualService, whose own default is 301)
   */
  readonly statusCode?: number;
}

/** Rewrites the request before forwarding it. At least one field. */
export interface HttpRewrite {
  /**
   * New `Host`/`:authority` header (Istio `rewrite.authority`).
   * @default unchanged
   */
  readonly hostname?: string;
  /**
   * New path: a prefix replacement is Istio `rewrite.uri`, a whole-path one `rewrite.uriRegexRewrite`
   * (which needs Istio >= 1.18). Not with `uriRegexRewrite`.
   * @default unchanged
   */
  readonly path?: PathReplacement;
  /**
   * A regular-expression rewrite of the path (Istio `rewrite.uriRegexRewrite`, Istio >= 1.18); not with
   * `path`, as istiod refuses `uri` with `uriRegexRewrite`. Istio API only.
   * @default unchanged
   */
  readonly uriRegexRewrite?: UriRegexRewrite;
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
   * Traffic mirroring to one destination (Istio `mirror` and `mirrorPercentage`); not with `mirrors`.
   * @default none
   */
  readonly mirror?: Mirror;
  /**
   * Traffic mirroring to several destinations (Istio `mirrors`, Istio >= 1.19; one RequestMirror filter each
   * in the Gateway API); not with `mirror`, as istiod refuses both. A mirror without `percentage` copies
   * every request.
   * @default none
   */
  readonly mirrors?: readonly Mirror[];
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
  /**
   * Answer with a fixed status and body instead of forwarding (Istio `directResponse`); then no `to`,
   * `redirect`, `fault`, `rewrite`, mirroring, `timeout` or `retries`. Istio API only.
   * @default no direct response
   */
  readonly directResponse?: DirectResponse;
  /**
   * Hand the requests this route matches to a delegate VirtualService (Istio `delegate`), whose routes
   * then apply; then no `to`, `redirect` or `directResponse`. Only in a VirtualService that has hosts (a
   * delegate cannot delegate again). Istio API only.
   * @default no delegation
   */
  readonly delegate?: DelegateTarget;
  /**
   * Cross-origin resource sharing (Istio `corsPolicy`; a CORS filter in the Gateway API).
   * @default no CORS policy
   */
  readonly corsPolicy?: CorsPolicy;
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
  /** Namespace of the VirtualService (per-condition gateways are written relative to it). */
  readonly namespace?: string;
  /**
   * The VirtualService's gateways as written (`mesh` when none are given), which per-condition gateways
   * must be among; `undefined` where the VirtualService is not known.
   */
  readonly gateways?: readonly string[];
  /** The VirtualService is a delegate (no hosts): its routes cannot delegate again. */
  readonly delegateChild?: boolean;
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
    const match =
      options.match === undefined ? undefined : renderMatches(scope, `${field}.match`, options.match, context);
    checkRouteShape(scope, field, options, context);
    const to = options.to ?? [];
    const forwards =
      options.redirect === undefined && options.directResponse === undefined && options.delegate === undefined;
    const route = forwards ? renderDestinations(scope, `${field}.to`, to, context) : undefined;
    const mirror =
      options.mirror === undefined ? undefined : renderMirror(scope, `${field}.mirror`, options.mirror, context);
    const mirrors =
      options.mirrors === undefined ? undefined : renderMirrors(scope, `${field}.mirrors`, options.mirrors, context);
    const ownMirrorSubsets = [...(options.mirror === undefined ? [] : [options.mirror]), ...(options.mirrors ?? [])]
      .filter((m) => m.subset !== undefined && (m.host ?? context.host) === context.host)
      .map((m) => m.subset!);
    this.subsets = [
      ...to.flatMap((d) => (d.subset === undefined || (d.host ?? context.host) !== context.host ? [] : [d.subset])),
      ...ownMirrorSubsets,
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
      retries:
        options.retries === undefined
          ? undefined
          : renderRetries(scope, `${field}.retries`, options.retries, context.release),
      mirror: mirror?.mirror,
      mirrorPercentage: mirror?.mirrorPercentage,
      mirrors,
      headers: request === undefined && response === undefined ? undefined : { request, response },
      directResponse:
        options.directResponse === undefined
          ? undefined
          : renderDirectResponse(scope, `${field}.directResponse`, options.directResponse),
      delegate:
        options.delegate === undefined ? undefined : renderDelegate(scope, `${field}.delegate`, options.delegate),
      corsPolicy:
        options.corsPolicy === undefined
          ? undefined
          : renderCorsPolicy(scope, `${field}.corsPolicy`, options.corsPolicy, context),
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
  context?: Pick<RouteContext, 'namespace' | 'gateways'>,
): VirtualServiceSpecHttpMatch[] {
  if (!Array.isArray(matches) || matches.length === 0) {
    reject(scope, field, matches, 'a non-empty list of HttpMatch conditions (omit `match` to match every request)');
  }
  const names = new Set<string>();
  return matches.map((m, i) => {
    const rendered = renderMatch(scope, `${field}[${i}]`, m, context);
    if (m.name !== undefined) {
      if (names.has(m.name))
        reject(scope, `${field}[${i}].name`, m.name, 'a name no other condition of this route has');
      names.add(m.name);
    }
    return rendered;
  });
}

const isEmptyMap = (m: object | undefined) => m === undefined || (m !== null && Object.keys(m).length === 0);

function renderMatch(
  scope: IConstruct,
  field: string,
  m: HttpMatch,
  context?: Pick<RouteContext, 'namespace' | 'gateways'>,
): VirtualServiceSpecHttpMatch {
  if (m === null || typeof m !== 'object') reject(scope, field, m, 'an HttpMatch object');
  const empty =
    m.uri === undefined &&
    m.method === undefined &&
    m.authority === undefined &&
    m.port === undefined &&
    m.scheme === undefined &&
    m.sourceNamespace === undefined &&
    m.gateways === undefined &&
    isEmptyMap(m.headers) &&
    isEmptyMap(m.queryParams) &&
    isEmptyMap(m.withoutHeaders) &&
    isEmptyMap(m.sourceLabels);
  if (empty)
    reject(
      scope,
      field,
      m,
      'at least one of uri, headers, withoutHeaders, queryParams, method, authority, scheme, port, sourceLabels, sourceNamespace, gateways (an empty condition matches everything: omit `match` instead)',
    );
  if (m.ignoreUriCase !== undefined) {
    if (typeof m.ignoreUriCase !== 'boolean') reject(scope, `${field}.ignoreUriCase`, m.ignoreUriCase, 'true or false');
    if (m.uri === undefined)
      reject(scope, `${field}.ignoreUriCase`, m.ignoreUriCase, 'a uri condition beside it (it only concerns the uri)');
  }
  if (m.name !== undefined) checkNonEmpty(scope, `${field}.name`, m.name, 'a non-empty condition name');
  if (m.statPrefix !== undefined)
    checkNonEmpty(scope, `${field}.statPrefix`, m.statPrefix, 'a non-empty statistics prefix');
  let sourceLabels: Record<string, string> | undefined;
  if (m.sourceLabels !== undefined) {
    const what = 'a non-empty map of label key to value, or nothing';
    const entries = recordEntries(scope, `${field}.sourceLabels`, m.sourceLabels, what);
    if (entries.length === 0) reject(scope, `${field}.sourceLabels`, m.sourceLabels, what);
    sourceLabels = {};
    for (const [k, v] of entries) {
      checkLabelKey(scope, `${field}.sourceLabels`, k);
      sourceLabels[k] = checkLabelValue(scope, `${field}.sourceLabels.${k}`, v);
    }
  }
  if (m.sourceNamespace !== undefined) checkDnsLabel(scope, `${field}.sourceNamespace`, m.sourceNamespace);
  const gateways =
    m.gateways === undefined ? undefined : matchGateways(scope, `${field}.gateways`, m.gateways, context);
  const map = (f: string, record: Readonly<Record<string, StringMatch>> | undefined, checkKey: (k: string) => void) => {
    if (record === undefined) return undefined;
    const entries = recordEntries(scope, `${field}.${f}`, record, 'a non-empty map of name to StringMatch, or nothing');
    if (entries.length === 0) reject(scope, `${field}.${f}`, record, 'a non-empty map, or nothing');
    return Object.fromEntries(
      entries.map(([k, v]) => {
        checkKey(k);
        return [k, renderStringMatch(scope, `${field}.${f}.${k}`, v, f === 'queryParams' ? 'query' : 'header')];
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
    scheme: m.scheme === undefined ? undefined : renderStringMatch(scope, `${field}.scheme`, m.scheme, 'scheme'),
    withoutHeaders: map('withoutHeaders', m.withoutHeaders, (k) =>
      checkMatchHeaderName(scope, `${field}.withoutHeaders`, k),
    ),
    ignoreUriCase: m.ignoreUriCase,
    sourceLabels,
    sourceNamespace: m.sourceNamespace,
    gateways,
    name: m.name,
    statPrefix: m.statPrefix,
  } as VirtualServiceSpecHttpMatch;
}

/** A condition's gateways, written as the VirtualService's are; each one of the VirtualService's. */
function matchGateways(
  scope: IConstruct,
  field: string,
  gateways: ReadonlyArray<IGateway | string>,
  context: Pick<RouteContext, 'namespace' | 'gateways'> | undefined,
): string[] {
  if (context?.namespace === undefined)
    reject(scope, field, gateways, 'nothing here: per-condition gateways are for the routes of a VersionRouting');
  if (!Array.isArray(gateways) || gateways.length === 0)
    reject(scope, field, gateways, 'a non-empty list of gateways, or nothing for all of the VirtualService');
  const refs = gateways.map((g, i) => renderGatewayRef(scope, `${field}[${i}]`, g, context.namespace!));
  if (new Set(refs).size !== refs.length) reject(scope, field, refs, 'each gateway at most once');
  const allowed = context.gateways;
  // "edge" and "<own namespace>/edge" name the same Gateway.
  const full = (r: string) => (r === MESH || r.includes('/') ? r : `${context.namespace}/${r}`);
  refs.forEach((r, i) => {
    if (allowed !== undefined && !allowed.map(full).includes(full(r)))
      reject(
        scope,
        `${field}[${i}]`,
        r,
        `one of the VirtualService's gateways (${allowed.join(', ')}): a condition on another gateway never matches, since the VirtualService only applies to its own`,
      );
  });
  return refs;
}

/**
 * A gateway reference as a VirtualService writes it: `name` in `namespace`, `namespace/name` elsewhere, or `mesh`.
 * @internal
 */
export function renderGatewayRef(scope: IConstruct, field: string, g: IGateway | string, namespace: string): string {
  const allowed =
    'a SharedGateway (or another IGateway with a name and namespace), a Gateway name as "<namespace>/<name>" or "<name>", or VersionRouting.MESH';
  if (g !== null && typeof g === 'object') {
    if (typeof g.name !== 'string' || typeof g.namespace !== 'string') reject(scope, field, g, allowed);
    checkDnsLabel(scope, `${field}.name`, g.name);
    checkDnsLabel(scope, `${field}.namespace`, g.namespace);
    return gatewayReference(g, namespace);
  }
  if (g === MESH) return g;
  if (
    typeof g !== 'string' ||
    !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(g) ||
    g.length > 127
  ) {
    reject(scope, field, g, allowed);
  }
  return g;
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
  what: 'uri' | 'header' | 'query' | 'method' | 'authority' | 'scheme' | 'origin',
) {
  if (!StringMatch.isStringMatch(sm)) reject(scope, field, sm, 'a StringMatch, e.g. StringMatch.exact("jason")');
  const v = sm.value;
  if (typeof v !== 'string') reject(scope, `${field}.${sm.kind}`, v, 'a string');
  switch (sm.kind) {
    case 'present':
      if (what !== 'header')
        reject(
          scope,
          `${field}.present`,
          'present',
          'StringMatch.exact, prefix or regex: a presence condition is only for headers and withoutHeaders',
        );
      return {};
    case 'exact':
      if (what === 'uri' && !v.startsWith('/')) reject(scope, `${field}.exact`, v, 'a path starting with "/"');
      if (what === 'origin' && v.length === 0)
        reject(
          scope,
          `${field}.exact`,
          v,
          'a non-empty origin, e.g. "https://example.com" (istiod refuses an empty one)',
        );
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
  const hosts: string[] = [];
  to.forEach((d, i) => {
    if (d === null || typeof d !== 'object') reject(scope, `${field}[${i}]`, d, 'a RouteDestination object');
    if (d.host !== undefined) checkDnsSubdomain(scope, `${field}[${i}].host`, d.host);
    const host = d.host ?? context.host;
    // Another host's subsets and ports are not known here (the mesh analysis checks them): only a port number then.
    const own = host === context.host ? context : { host: context.host };
    if (d.subset !== undefined) checkSubsetRef(scope, `${field}[${i}].subset`, d.subset, own);
    const port = routePort(scope, `${field}[${i}].port`, d.port, own);
    ports.push(port);
    hosts.push(host);
    const key = `${host}:${d.subset ?? ''}:${port ?? ''}`;
    if (seen.has(key))
      reject(scope, `${field}[${i}]`, d, 'each host, subset (and port) at most once per route (Kiali KIA1105)');
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
      host: hosts[i],
      subset: d.subset,
      port: ports[i] === undefined ? undefined : { number: ports[i] },
    },
    // A single destination's weight is written only when given (100, as several Istio samples write it).
    weight: d.weight,
    headers: destinationHeaders(scope, `${field}[${i}]`, d),
  }));
}

/** A destination's own header changes (Istio `route[].headers`), checked as the route's are. */
function destinationHeaders(scope: IConstruct, field: string, d: RouteDestination) {
  const request =
    d.requestHeaders === undefined
      ? undefined
      : checkHeaderModifier(scope, `${field}.requestHeaders`, d.requestHeaders, 'request');
  const response =
    d.responseHeaders === undefined
      ? undefined
      : checkHeaderModifier(scope, `${field}.responseHeaders`, d.responseHeaders, 'response');
  return request === undefined && response === undefined ? undefined : { request, response };
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
            ...abortStatus(scope, `${field}.abort`, abort),
            percentage: { value: checkPercent(scope, `${field}.abort.percentage`, abort.percentage ?? Percent.ALL) },
          },
  };
}

function abortStatus(scope: IConstruct, field: string, abort: FaultAbort) {
  if (abort === null || typeof abort !== 'object') reject(scope, field, abort, 'a FaultAbort object');
  if ((abort.httpStatus === undefined) === (abort.grpcStatus === undefined))
    reject(scope, field, abort, 'a FaultAbort with one of httpStatus, grpcStatus (Istio takes one error type)');
  if (abort.httpStatus !== undefined)
    return { httpStatus: checkInteger(scope, `${field}.httpStatus`, abort.httpStatus, 200, 599) };
  const codes: readonly string[] = Object.values(GrpcStatus);
  if (!codes.includes(abort.grpcStatus!))
    reject(scope, `${field}.grpcStatus`, abort.grpcStatus, `one of GrpcStatus: ${codes.join(', ')}`);
  return { grpcStatus: abort.grpcStatus };
}

const RETRY_ON_VALUES: readonly string[] = Object.values(RetryOn);

function renderRetries(
  scope: IConstruct,
  field: string,
  retries: RetryPolicy,
  release: IstioRelease | undefined,
): VirtualServiceSpecHttp['retries'] {
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
  for (const f of ['retryRemoteLocalities', 'retryIgnorePreviousHosts'] as const) {
    if (retries[f] !== undefined && typeof retries[f] !== 'boolean')
      reject(scope, `${field}.${f}`, retries[f], 'true or false');
  }
  if (release?.minor === '1.17') {
    for (const f of ['backoff', 'retryIgnorePreviousHosts'] as const) {
      if (retries[f] !== undefined)
        reject(scope, `${field}.${f}`, retries[f], `nothing on Istio 1.17, whose VirtualService has no retries.${f}`);
    }
  }
  return {
    retryRemoteLocalities: retries.retryRemoteLocalities,
    retryIgnorePreviousHosts: retries.retryIgnorePreviousHosts,
    backoff: retries.backoff === undefined ? undefined : istioDuration(scope, `${field}.backoff`, retries.backoff),
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

function renderMirrors(scope: IConstruct, field: string, mirrors: readonly Mirror[], context: RouteContext) {
  if (!Array.isArray(mirrors) || mirrors.length === 0)
    reject(scope, field, mirrors, 'a non-empty list of Mirror objects, or nothing');
  if (context.release?.minor === '1.17')
    reject(scope, field, mirrors, 'a single `mirror`: `mirrors` needs Istio >= 1.19');
  const seen = new Set<string>();
  return mirrors.map((m, i) => {
    const r = renderMirror(scope, `${field}[${i}]`, m, context);
    const key = JSON.stringify(r.mirror);
    if (seen.has(key)) reject(scope, `${field}[${i}]`, r.mirror, 'each mirror destination at most once');
    seen.add(key);
    return { destination: r.mirror, percentage: m.percentage === undefined ? undefined : r.mirrorPercentage };
  });
}

/** istiod refuses a direct response body over 1 MiB (and warns over 100 KiB). */
const MAX_DIRECT_RESPONSE_BYTES = 1024 * 1024;

function renderDirectResponse(scope: IConstruct, field: string, d: DirectResponse) {
  if (d === null || typeof d !== 'object') reject(scope, field, d, 'a DirectResponse object ({ status, body? })');
  const status = checkInteger(scope, `${field}.status`, d.status, 200, 599);
  if (d.body === undefined) return { status };
  if (!ResponseBody.isResponseBody(d.body))
    reject(scope, `${field}.body`, d.body, 'a ResponseBody, e.g. ResponseBody.text("gone")');
  const b = d.body;
  if (b.kind === 'string' ? typeof b.value !== 'string' : !(b.value instanceof Uint8Array))
    reject(scope, `${field}.body`, b.value, b.kind === 'string' ? 'a string' : 'a Uint8Array');
  const bytes = typeof b.value === 'string' ? Buffer.from(b.value, 'utf8') : Buffer.from(b.value);
  if (bytes.length > MAX_DIRECT_RESPONSE_BYTES)
    reject(scope, `${field}.body`, `${bytes.length} bytes`, 'a body of at most 1 MiB (istiod refuses larger ones)');
  return {
    status,
    body: b.kind === 'string' ? { string: b.value as string } : { bytes: bytes.toString('base64') },
  };
}

function renderDelegate(scope: IConstruct, field: string, d: DelegateTarget) {
  if (d === null || typeof d !== 'object')
    reject(scope, field, d, "a DelegateTarget ({ name, namespace? }), e.g. a delegate VersionRouting's delegateTarget");
  return {
    name: checkDnsSubdomain(scope, `${field}.name`, d.name),
    namespace: d.namespace === undefined ? undefined : checkDnsLabel(scope, `${field}.namespace`, d.namespace),
  };
}

/** The methods istiod accepts in a CORS policy (Go's net/http methods, and `*`). */
const CORS_METHODS: readonly string[] = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  '*',
];
const HEADER_TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * Checks a CORS policy with istiod's rules and renders it (the VirtualService shape).
 * @internal
 */
export function renderCorsPolicy(scope: IConstruct, field: string, c: CorsPolicy, context: RouteContext) {
  if (c === null || typeof c !== 'object') reject(scope, field, c, 'a CorsPolicy object');
  if (!Array.isArray(c.allowOrigins) || c.allowOrigins.length === 0)
    reject(
      scope,
      `${field}.allowOrigins`,
      c.allowOrigins,
      'a non-empty list of StringMatch origins (a policy without origins lets no cross-origin request through)',
    );
  const allowOrigins = c.allowOrigins.map((o, i) =>
    renderStringMatch(scope, `${field}.allowOrigins[${i}]`, o, 'origin'),
  );
  const list = (f: 'allowMethods' | 'allowHeaders' | 'exposeHeaders', ok: (v: string) => boolean, what: string) => {
    const values = c[f];
    if (values === undefined) return undefined;
    if (!Array.isArray(values) || values.length === 0)
      reject(scope, `${field}.${f}`, values, `a non-empty list of ${what}, or nothing`);
    values.forEach((v, i) => {
      if (typeof v !== 'string' || !ok(v)) reject(scope, `${field}.${f}[${i}]`, v, what);
    });
    if (new Set(values.map((v) => v.toLowerCase())).size !== values.length)
      reject(scope, `${field}.${f}`, values, 'each value at most once');
    return [...values];
  };
  const methods = list(
    'allowMethods',
    (v) => CORS_METHODS.includes(v),
    `methods istiod accepts: ${CORS_METHODS.join(', ')}`,
  );
  const headerName = (v: string) => v === '*' || HEADER_TOKEN.test(v);
  const headersWhat = 'HTTP header names (RFC 7230 tokens), or "*"';
  const allowHeaders = list('allowHeaders', headerName, headersWhat);
  const exposeHeaders = list('exposeHeaders', headerName, headersWhat);
  let maxAge: string | undefined;
  if (c.maxAge !== undefined) {
    const allowed =
      'a cdk8s Duration of whole seconds, at least 1 s (istiod keeps only seconds), e.g. Duration.hours(24)';
    if (!(c.maxAge instanceof Duration)) reject(scope, `${field}.maxAge`, c.maxAge, allowed);
    const ms = c.maxAge.toMilliseconds({ integral: false });
    if (!Number.isFinite(ms) || ms < 1000 || ms % 1000 !== 0) reject(scope, `${field}.maxAge`, `${ms}ms`, allowed);
    maxAge = istioDuration(scope, `${field}.maxAge`, c.maxAge);
  }
  if (c.allowCredentials !== undefined && typeof c.allowCredentials !== 'boolean')
    reject(scope, `${field}.allowCredentials`, c.allowCredentials, 'true or false');
  const preflights: readonly string[] = Object.values(UnmatchedPreflights);
  if (c.unmatchedPreflights !== undefined) {
    if (!preflights.includes(c.unmatchedPreflights))
      reject(scope, `${field}.unmatchedPreflights`, c.unmatchedPreflights, `one of ${preflights.join(', ')}`);
    if (context.release?.minor === '1.17')
      reject(scope, `${field}.unmatchedPreflights`, c.unmatchedPreflights, 'nothing before Istio 1.23, which added it');
  }
  return {
    allowOrigins,
    allowMethods: methods,
    allowHeaders,
    exposeHeaders,
    maxAge,
    allowCredentials: c.allowCredentials,
    unmatchedPreflights: c.unmatchedPreflights as VirtualServiceSpecHttpCorsPolicyUnmatchedPreflights | undefined,
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
  // A namespace lets per-condition gateways resolve, so the Gateway API renderer refuses them by name.
  HttpRoute._create(scope, field, 0, options, {
    host: 'validation.invalid',
    service,
    gatewayApi: true,
    namespace: 'validation',
  });
}

/** The route-level rules shared by both APIs: what a redirect excludes, what a prefix replacement needs. */
function checkRouteShape(scope: IConstruct, field: string, options: HttpRouteOptions, context: RouteContext): void {
  const hasTo = options.to !== undefined && (!Array.isArray(options.to) || options.to.length > 0);
  if (options.mirror !== undefined && options.mirrors !== undefined)
    reject(scope, `${field}.mirrors`, options.mirrors, 'nothing beside `mirror` (istiod refuses both): one of them');
  // What answers the request itself excludes what forwards it (istiod's conflicts, plus what would be ignored).
  const answers: [string, unknown, string, string][] = [
    ['redirect', options.redirect, 'an HttpRedirect object', 'a redirect route (it answers the request itself)'],
    [
      'directResponse',
      options.directResponse,
      'a DirectResponse object',
      'a direct-response route (it answers the request itself)',
    ],
  ];
  for (const [name, value, type, what] of answers) {
    if (value === undefined) continue;
    if (value === null || typeof value !== 'object') reject(scope, `${field}.${name}`, value, type);
    if (hasTo) reject(scope, `${field}.to`, options.to, `no destinations on ${what}`);
    for (const f of ['fault', 'rewrite', 'mirror', 'mirrors', 'timeout', 'retries', 'delegate'] as const) {
      if (options[f] !== undefined)
        reject(scope, `${field}.${f}`, options[f], `no ${f} on ${what}: it forwards nothing`);
    }
  }
  if (options.redirect !== undefined && options.directResponse !== undefined)
    reject(scope, `${field}.directResponse`, options.directResponse, 'nothing beside a redirect (istiod refuses both)');
  if (options.delegate !== undefined) {
    if (hasTo)
      reject(
        scope,
        `${field}.to`,
        options.to,
        'no destinations on a delegating route (istiod refuses them: the delegate routes)',
      );
    if (context.delegateChild)
      reject(
        scope,
        `${field}.delegate`,
        options.delegate,
        'nothing in a delegate VirtualService (istiod allows one level of delegation only)',
      );
  }
  if (options.redirect !== undefined) {
    const r = options.redirect;
    if (r.path !== undefined) checkPathReplacement(scope, `${field}.redirect.path`, r.path, options);
  } else if (options.to === undefined && options.directResponse === undefined && options.delegate === undefined) {
    reject(
      scope,
      `${field}.to`,
      options.to,
      'a non-empty list of destinations, e.g. [{ subset: "v1" }], or a redirect, directResponse or delegate',
    );
  }
  if (options.rewrite !== undefined) {
    const rw = options.rewrite;
    if (
      rw === null ||
      typeof rw !== 'object' ||
      (rw.hostname === undefined && rw.path === undefined && rw.uriRegexRewrite === undefined)
    )
      reject(scope, `${field}.rewrite`, rw, 'an HttpRewrite with a hostname, a path and/or a uriRegexRewrite');
    if (rw.path !== undefined && rw.uriRegexRewrite !== undefined)
      reject(
        scope,
        `${field}.rewrite.uriRegexRewrite`,
        rw.uriRegexRewrite,
        'nothing beside `path` (istiod refuses uri with uriRegexRewrite): one of them',
      );
    if (rw.hostname !== undefined) checkDnsSubdomain(scope, `${field}.rewrite.hostname`, rw.hostname);
    if (rw.path !== undefined) checkPathReplacement(scope, `${field}.rewrite.path`, rw.path, options);
    if (rw.uriRegexRewrite !== undefined)
      checkUriRegexRewrite(scope, `${field}.rewrite.uriRegexRewrite`, rw.uriRegexRewrite);
    const setsHost = [options.requestHeaders?.set, options.requestHeaders?.add].some(
      (m) =>
        m !== undefined && m !== null && Object.keys(m).some((k) => ['host', ':authority'].includes(k.toLowerCase())),
    );
    if (rw.hostname !== undefined && setsHost)
      reject(scope, `${field}.requestHeaders`, 'host', 'the host set in one place only: rewrite.hostname or a header');
  }
}

function checkUriRegexRewrite(scope: IConstruct, field: string, u: UriRegexRewrite): void {
  if (u === null || typeof u !== 'object') reject(scope, field, u, 'a UriRegexRewrite ({ match, rewrite })');
  if (typeof u.match !== 'string' || u.match.length === 0)
    reject(scope, `${field}.match`, u.match, 'a non-empty RE2 regular expression');
  checkRe2(scope, `${field}.match`, u.match, { maxBytes: 1024 });
  if (typeof u.rewrite !== 'string' || u.rewrite.length === 0)
    reject(scope, `${field}.rewrite`, u.rewrite, 'a non-empty replacement (istiod requires both match and rewrite)');
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
    // istiod lets a request set or add :authority (the one pseudo-header it allows), like Host.
    const authority = typeof name === 'string' && name.toLowerCase() === ':authority' && direction === 'request';
    if (authority && removing) reject(scope, f, name, 'a header other than :authority (it cannot be removed)');
    if (!authority && (typeof name !== 'string' || !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/.test(name)))
      reject(
        scope,
        f,
        name,
        'an HTTP header name (RFC 7230 token, at most 256 characters; of the pseudo-headers only :authority, set or added on a request)',
      );
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
    const what = 'a non-empty map of header name to value, or nothing';
    const entries = recordEntries(scope, `${field}.${f}`, record, what);
    if (entries.length === 0) reject(scope, `${field}.${f}`, record, what);
    for (const [k, v] of entries) {
      checkName(`${field}.${f}`, k, false);
      // Envoy reads %...% as a variable; istiod parses the value as Envoy does and refuses what Envoy would.
      const problem = typeof v !== 'string' ? 'not a string' : v.length > 4096 ? 'too long' : headerValueProblem(v);
      if (problem !== undefined)
        reject(
          scope,
          `${field}.${f}.${k}`,
          v,
          `a header value of at most 4096 characters, without control characters other than tab, with "%" only as "%%" or around a %VARIABLE% or %VARIABLE(args)% (here: ${problem})`,
        );
    }
    return Object.fromEntries(entries);
  };
  const set = values('set', mod.set);
  const add = values('add', mod.add);
  const authorities = [...Object.keys(set ?? {}), ...Object.keys(add ?? {})].filter((k) =>
    ['host', ':authority'].includes(k.toLowerCase()),
  );
  if (authorities.length > 1)
    reject(
      scope,
      field,
      authorities,
      'the authority set once: Host or :authority, in set or add (istiod refuses both)',
    );
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
  if (
    r.scheme === undefined &&
    r.hostname === undefined &&
    r.port === undefined &&
    r.derivePort === undefined &&
    r.path === undefined
  )
    reject(scope, field, r, 'an HttpRedirect with at least one of scheme, hostname, port, derivePort, path');
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
  if (r.derivePort !== undefined) {
    const derivations: readonly string[] = Object.values(RedirectPortDerivation);
    if (!derivations.includes(r.derivePort))
      reject(scope, `${field}.derivePort`, r.derivePort, `one of RedirectPortDerivation: ${derivations.join(', ')}`);
    if (r.port !== undefined)
      reject(scope, `${field}.derivePort`, r.derivePort, 'nothing beside `port` (Istio takes one of them)');
  }
  if (r.path?.kind === 'prefix' && !context.gatewayApi)
    reject(
      scope,
      `${field}.path`,
      r.path.value,
      'PathReplacement.full(): the Istio API (VirtualService) redirect has no prefix replacement (the Gateway API has)',
    );
  return {
    scheme: r.scheme,
    authority: r.hostname,
    port: r.port,
    derivePort: r.derivePort as VirtualServiceSpecHttpRedirectDerivePort | undefined,
    uri: r.path?.value,
    redirectCode: code,
  };
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
  if (rw.uriRegexRewrite !== undefined && !context.gatewayApi && context.release?.minor === '1.17')
    reject(scope, `${field}.uriRegexRewrite`, rw.uriRegexRewrite, 'nothing before Istio 1.18, which added it');
  return {
    authority: rw.hostname,
    uri: path?.kind === 'prefix' ? path.value : undefined,
    // Envoy's regex_rewrite replaces the whole path when the pattern matches all of it.
    uriRegexRewrite:
      path?.kind === 'full'
        ? { match: '^/.*$', rewrite: path.value }
        : rw.uriRegexRewrite === undefined
          ? undefined
          : { match: rw.uriRegexRewrite.match, rewrite: rw.uriRegexRewrite.rewrite },
  };
}

/**
 * Why istiod refuses a header value (ValidateHTTPHeaderValue), or undefined: control characters other than
 * tab, or a "%" that does not start "%%", "%VAR%" or "%VAR(args)%" as Envoy's header formatter parses it.
 */
function headerValueProblem(v: string): string | undefined {
  if ([...v].some((c) => (c.charCodeAt(0) < 0x20 && c !== '\t') || c.charCodeAt(0) === 0x7f))
    return 'a control character';
  type State = 'literal' | 'name' | 'array' | 'string' | 'inString' | 'delimiter' | 'argsEnd' | 'varEnd';
  let state: State = 'literal';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i];
    switch (state) {
      case 'literal':
        if (ch !== '%') break;
        if (i + 1 >= v.length) return 'a "%" at the end';
        if (v[i + 1] === '%') i++;
        else state = 'name';
        break;
      case 'name':
        if (ch === '%') state = 'literal';
        else if (ch === '(') state = 'array';
        break;
      case 'array':
        if (ch === '[') state = 'string';
        else if (ch !== ' ') state = 'inString';
        break;
      case 'delimiter':
        if (ch === ',') state = 'string';
        else if (ch === ']') state = 'argsEnd';
        else if (ch !== ' ') return `"${ch}" where "," or "]" was expected`;
        break;
      case 'string':
        if (ch === '"') state = 'inString';
        else if (ch !== ' ') return `"${ch}" where a quoted argument was expected`;
        break;
      case 'inString':
        if (ch === '\\') {
          if (i + 1 >= v.length) return 'a backslash at the end';
          i++;
        } else if (ch === ')') state = 'varEnd';
        else if (ch === '"') state = 'delimiter';
        break;
      case 'argsEnd':
        if (ch === ')') state = 'varEnd';
        else if (ch !== ' ') return `"${ch}" where ")" was expected`;
        break;
      case 'varEnd':
        if (ch === '%') state = 'literal';
        else if (ch !== ' ') return `"${ch}" where the closing "%" was expected`;
        break;
    }
  }
  return state === 'literal' ? undefined : 'an unterminated %VARIABLE%';
}

function hasControlChar(v: string): boolean {
  return [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}
