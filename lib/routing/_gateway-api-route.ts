import { IConstruct } from 'constructs';

import {
  HttpRouteSpecRules,
  HttpRouteSpecRulesBackendRefs,
  HttpRouteSpecRulesBackendRefsFilters,
  HttpRouteSpecRulesBackendRefsFiltersType,
  HttpRouteSpecRulesFilters,
  HttpRouteSpecRulesFiltersCors,
  HttpRouteSpecRulesFiltersCorsAllowMethods,
  HttpRouteSpecRulesFiltersRequestHeaderModifier,
  HttpRouteSpecRulesFiltersRequestRedirectPath,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
  HttpRouteSpecRulesFiltersUrlRewritePath,
  HttpRouteSpecRulesMatches,
  HttpRouteSpecRulesMatchesHeadersType,
  HttpRouteSpecRulesMatchesMethod,
  HttpRouteSpecRulesMatchesPathType,
  HttpRouteSpecRulesMatchesQueryParamsType,
} from '../../imports/gatewayapi-gateway.networking.k8s.io';
import { checkNonEmpty, reject } from '../core/input-validation';
import { IMeshService } from '../core/mesh-service';
import { gatewayApiDuration } from './_gateway-api-duration';
import {
  checkHeaderModifier,
  checkRedirect,
  CorsPolicy,
  HeaderModifier,
  HttpMatch,
  HttpRouteOptions,
  Mirror,
  PathReplacement,
  RouteDestination,
  StringMatch,
  validateRoute,
} from './http-route';
import { checkPercent, Percent } from './percent';

/** The API named in refusals, so a user knows which API lacks the feature. */
export const GATEWAY_API = 'the Gateway API (HTTPRoute, standard channel v1.5.1)';

/** A Service that a Gateway API rule sends to (or mirrors to). */
export interface GatewayApiBackend {
  /** Service name. */
  readonly name: string;
  /** Service namespace; omitted for the route's own. */
  readonly namespace?: string;
  /** Service port. */
  readonly port: number;
}

/** What the owning construct resolves for the renderer. */
export interface GatewayApiRouteContext {
  /** Resolves a destination (its subset = version -> the per-version Service) to a backendRef. */
  backendFor(field: string, destination: RouteDestination): GatewayApiBackend;
  /** Resolves a mirror target. */
  mirrorBackendFor?(field: string, mirror: Mirror): GatewayApiBackend;
  /** The routed service, whose ports destinations name or number. */
  readonly service?: IMeshService;
}

// Limits of the v1.5.1 standard CRD (maxItems); the API server refuses more.
const MAX_MATCHES = 64;
const MAX_HEADER_MATCHES = 16;
const MAX_QUERY_MATCHES = 16;
const MAX_BACKENDS = 16;
const MAX_FILTERS = 16;

/** The CRD's pattern for header and query parameter names (an RFC 7230 token). */
const HTTP_TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/;

const METHODS: readonly string[] = Object.values(HttpRouteSpecRulesMatchesMethod);

function refuse(scope: IConstruct, field: string, value: unknown, feature: string, instead?: string): never {
  reject(scope, field, value, `no ${feature}: ${GATEWAY_API} has none${instead ? `; ${instead}` : ''}`);
}

/**
 * Renders match conditions as HTTPRoute `matches`, refusing what the Gateway API cannot express.
 */
export function renderGatewayApiMatches(
  scope: IConstruct,
  field: string,
  matches: readonly HttpMatch[],
): HttpRouteSpecRulesMatches[] {
  if (!Array.isArray(matches) || matches.length === 0) {
    reject(scope, field, matches, 'a non-empty list of HttpMatch conditions (omit `match` to match every request)');
  }
  if (matches.length > MAX_MATCHES)
    reject(
      scope,
      field,
      `${matches.length} conditions`,
      `at most ${MAX_MATCHES} conditions per rule in ${GATEWAY_API}`,
    );
  return matches.map((m, i) => renderMatch(scope, `${field}[${i}]`, m));
}

function renderMatch(scope: IConstruct, field: string, m: HttpMatch): HttpRouteSpecRulesMatches {
  if (m === null || typeof m !== 'object') reject(scope, field, m, 'an HttpMatch object');
  if (m.authority !== undefined)
    refuse(
      scope,
      `${field}.authority`,
      m.authority.value,
      'authority (Host) match',
      'match on the route hostnames instead',
    );
  if (m.port !== undefined)
    refuse(scope, `${field}.port`, m.port, 'port match', "the HTTPRoute's parent (the Service port) chooses the port");
  const istioOnly: [keyof HttpMatch, string, string?][] = [
    ['scheme', 'scheme match'],
    ['withoutHeaders', 'negative header match (withoutHeaders)', 'use a header regex that excludes the value'],
    ['ignoreUriCase', 'case-insensitive path match (ignoreUriCase)', 'use a StringMatch.regex("(?i)...") path'],
    ['sourceLabels', 'source workload match (sourceLabels)', 'restrict callers with an AuthorizationPolicy'],
    ['sourceNamespace', 'source namespace match (sourceNamespace)', 'restrict callers with an AuthorizationPolicy'],
    ['gateways', 'per-condition gateways', "the HTTPRoute's parentRefs choose where it applies"],
    ['name', 'condition name', 'name the route instead'],
    ['statPrefix', 'per-condition route statistics (statPrefix)'],
  ];
  for (const [f, feature, instead] of istioOnly) {
    if (m[f] !== undefined) refuse(scope, `${field}.${f}`, m[f], feature, instead);
  }
  const headers = m.headers === undefined ? undefined : Object.entries(m.headers);
  const query = m.queryParams === undefined ? undefined : Object.entries(m.queryParams);
  if (headers && headers.length > MAX_HEADER_MATCHES)
    reject(scope, `${field}.headers`, `${headers.length} headers`, `at most ${MAX_HEADER_MATCHES} in ${GATEWAY_API}`);
  if (query && query.length > MAX_QUERY_MATCHES)
    reject(
      scope,
      `${field}.queryParams`,
      `${query.length} parameters`,
      `at most ${MAX_QUERY_MATCHES} in ${GATEWAY_API}`,
    );
  return {
    path: m.uri === undefined ? undefined : renderPathMatch(scope, `${field}.uri`, m.uri),
    headers: headers?.map(([name, sm]) => {
      if (name.startsWith(':') || name.startsWith('@'))
        refuse(scope, `${field}.headers`, name, 'pseudo-header or JWT claim match', 'match a plain HTTP header');
      const { type, value } = valueMatch(scope, `${field}.headers.${name}`, sm, 'header');
      return { name, type: type as unknown as HttpRouteSpecRulesMatchesHeadersType, value };
    }),
    queryParams: query?.map(([name, sm]) => {
      if (!HTTP_TOKEN.test(name))
        reject(
          scope,
          `${field}.queryParams`,
          name,
          `a query parameter name ${GATEWAY_API} accepts: an HTTP token of at most 256 characters`,
        );
      const { type, value } = valueMatch(scope, `${field}.queryParams.${name}`, sm, 'query parameter');
      return { name, type: type as unknown as HttpRouteSpecRulesMatchesQueryParamsType, value };
    }),
    method: m.method === undefined ? undefined : renderMethod(scope, `${field}.method`, m.method),
  };
}

function renderPathMatch(scope: IConstruct, field: string, sm: StringMatch) {
  const v = sm.value;
  switch (sm.kind) {
    case 'exact':
      checkPathValue(scope, `${field}.exact`, v);
      return { type: HttpRouteSpecRulesMatchesPathType.EXACT, value: v };
    case 'prefix':
      checkPathValue(scope, `${field}.prefix`, v);
      return { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: v };
    case 'regex':
      return {
        type: HttpRouteSpecRulesMatchesPathType.REGULAR_EXPRESSION,
        value: checkLength(scope, `${field}.regex`, v, 1024),
      };
  }
}

/** The CRD's CEL rules on Exact and PathPrefix values (the API server enforces them). */
function checkPathValue(scope: IConstruct, field: string, v: string): void {
  const ok =
    typeof v === 'string' &&
    v.startsWith('/') &&
    v.length <= 1024 &&
    /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/.test(v) &&
    !v.includes('//') &&
    !/\/\.{1,2}(\/|$)/.test(v) &&
    !/%2f/i.test(v);
  if (!ok)
    reject(
      scope,
      field,
      v,
      `a path ${GATEWAY_API} accepts: starting with "/", at most 1024 characters of [-A-Za-z0-9/._~!$&'()*+,;=:@] or %XX, without "//", "/./", "/../", a trailing "/." or "/..", or "%2f"`,
    );
}

function checkLength(scope: IConstruct, field: string, v: string, max: number): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    reject(scope, field, v, `1-${max} characters in ${GATEWAY_API}`);
  return v;
}

function valueMatch(scope: IConstruct, field: string, sm: StringMatch, what: string) {
  switch (sm.kind) {
    case 'exact':
      // Exact is the CRD's default type; left out, as Istio's samples write it.
      return { value: checkLength(scope, `${field}.exact`, sm.value, maxValue(what)) };
    case 'regex':
      return { type: 'RegularExpression', value: checkLength(scope, `${field}.regex`, sm.value, maxValue(what)) };
    case 'prefix':
      return refuse(scope, `${field}.prefix`, sm.value, `${what} prefix match`, 'use StringMatch.regex("^prefix.*")');
  }
}

/** The CRD's maxLength: 4096 for header values, 1024 for query parameter values. */
function maxValue(what: string): number {
  return what === 'header' ? 4096 : 1024;
}

function renderMethod(scope: IConstruct, field: string, sm: StringMatch): HttpRouteSpecRulesMatchesMethod {
  if (sm.kind !== 'exact')
    refuse(scope, `${field}.${sm.kind}`, sm.value, `method ${sm.kind} match`, 'match one exact method per condition');
  if (!METHODS.includes(sm.value))
    reject(scope, `${field}.exact`, sm.value, `one of the methods ${GATEWAY_API} knows: ${METHODS.join(', ')}`);
  return sm.value as HttpRouteSpecRulesMatchesMethod;
}

/**
 * Renders one route as an HTTPRoute rule. The route is first validated as for a VirtualService
 * (same messages), then what the Gateway API lacks is refused by name, never dropped.
 */
export function renderGatewayApiRule(
  scope: IConstruct,
  field: string,
  options: HttpRouteOptions,
  context: GatewayApiRouteContext,
): HttpRouteSpecRules {
  validateRoute(scope, field, options, context.service);
  if (options.fault !== undefined) refuse(scope, `${field}.fault`, options.fault, 'fault injection');
  if (options.directResponse !== undefined)
    refuse(scope, `${field}.directResponse`, options.directResponse, 'direct response');
  if (options.delegate !== undefined)
    refuse(
      scope,
      `${field}.delegate`,
      options.delegate,
      'VirtualService delegation',
      'route with HTTPRoutes of their own',
    );
  if (options.rewrite?.uriRegexRewrite !== undefined)
    refuse(
      scope,
      `${field}.rewrite.uriRegexRewrite`,
      options.rewrite.uriRegexRewrite,
      'regular-expression path rewrite',
      'use a PathReplacement (whole path or prefix)',
    );
  if (options.redirect?.derivePort !== undefined)
    refuse(
      scope,
      `${field}.redirect.derivePort`,
      options.redirect.derivePort,
      'redirect port derivation (derivePort)',
      'give the port, or leave it out for the scheme default',
    );
  if (options.retries !== undefined)
    refuse(scope, `${field}.retries`, options.retries, 'retries', 'HTTPRoute retry is experimental-channel only');
  const matches =
    options.match === undefined ? undefined : renderGatewayApiMatches(scope, `${field}.match`, options.match);
  const filters: HttpRouteSpecRulesFilters[] = [];
  if (options.requestHeaders !== undefined) {
    filters.push({
      type: HttpRouteSpecRulesFiltersType.REQUEST_HEADER_MODIFIER,
      requestHeaderModifier: headerFilter(scope, `${field}.requestHeaders`, options.requestHeaders, 'request'),
    });
  }
  if (options.responseHeaders !== undefined) {
    filters.push({
      type: HttpRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER,
      responseHeaderModifier: headerFilter(scope, `${field}.responseHeaders`, options.responseHeaders, 'response'),
    });
  }
  if (options.redirect !== undefined) {
    const r = options.redirect;
    const statusCode = checkRedirect(scope, `${field}.redirect`, r);
    filters.push({
      type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
      requestRedirect: {
        scheme: r.scheme as HttpRouteSpecRulesFiltersRequestRedirectScheme | undefined,
        hostname: r.hostname,
        port: r.port,
        path: pathModifier(r.path) as HttpRouteSpecRulesFiltersRequestRedirectPath | undefined,
        statusCode: statusCode as HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
      },
    });
  }
  if (options.rewrite !== undefined) {
    filters.push({
      type: HttpRouteSpecRulesFiltersType.URL_REWRITE,
      urlRewrite: {
        hostname: options.rewrite.hostname,
        path: pathModifier(options.rewrite.path) as HttpRouteSpecRulesFiltersUrlRewritePath | undefined,
      },
    });
  }
  if (options.mirror !== undefined) filters.push(renderMirror(scope, `${field}.mirror`, options.mirror, context));
  (options.mirrors ?? []).forEach((m, i) => filters.push(renderMirror(scope, `${field}.mirrors[${i}]`, m, context)));
  if (options.corsPolicy !== undefined)
    filters.push({
      type: HttpRouteSpecRulesFiltersType.CORS,
      cors: renderCors(scope, `${field}.corsPolicy`, options.corsPolicy),
    });
  if (filters.length > MAX_FILTERS)
    reject(scope, field, `${filters.length} filters`, `at most ${MAX_FILTERS} filters per rule in ${GATEWAY_API}`);
  // validateRoute has made sure `to` is there unless the route redirects (then it has no backends).
  const to = options.to ?? [];
  if (to.length > MAX_BACKENDS)
    reject(
      scope,
      `${field}.to`,
      `${to.length} destinations`,
      `at most ${MAX_BACKENDS} backends per rule in ${GATEWAY_API}`,
    );
  const backendRefs: HttpRouteSpecRulesBackendRefs[] = to.map((d, i) => {
    const b = context.backendFor(`${field}.to[${i}]`, d);
    return {
      name: b.name,
      namespace: b.namespace,
      port: b.port,
      weight: to.length > 1 ? d.weight : undefined,
      filters: backendFilters(scope, `${field}.to[${i}]`, d),
    };
  });
  return {
    name: options.name === undefined ? undefined : checkSectionName(scope, `${field}.name`, options.name),
    matches,
    filters: filters.length > 0 ? filters : undefined,
    backendRefs: backendRefs.length > 0 ? backendRefs : undefined,
    timeouts:
      options.timeout === undefined
        ? undefined
        : { request: gatewayApiDuration(scope, `${field}.timeout`, options.timeout) },
  };
}

/** A destination's own header changes, as backendRef filters. */
function backendFilters(
  scope: IConstruct,
  field: string,
  d: RouteDestination,
): HttpRouteSpecRulesBackendRefsFilters[] | undefined {
  const filters: HttpRouteSpecRulesBackendRefsFilters[] = [];
  if (d.requestHeaders !== undefined)
    filters.push({
      type: HttpRouteSpecRulesBackendRefsFiltersType.REQUEST_HEADER_MODIFIER,
      requestHeaderModifier: headerFilter(scope, `${field}.requestHeaders`, d.requestHeaders, 'request'),
    });
  if (d.responseHeaders !== undefined)
    filters.push({
      type: HttpRouteSpecRulesBackendRefsFiltersType.RESPONSE_HEADER_MODIFIER,
      responseHeaderModifier: headerFilter(scope, `${field}.responseHeaders`, d.responseHeaders, 'response'),
    });
  return filters.length > 0 ? filters : undefined;
}

/** The CRD's patterns for CORS origins and header names. */
const CORS_ORIGIN = /^(\*|https?:\/\/((\*\.)?([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+|\*)(:[0-9]{1,5})?)$/;
const MAX_CORS_ITEMS = 64;

/** A CORS policy as the Gateway API's CORS filter (already checked with istiod's rules by validateRoute). */
function renderCors(scope: IConstruct, field: string, c: CorsPolicy): HttpRouteSpecRulesFiltersCors {
  if (c.unmatchedPreflights !== undefined)
    refuse(scope, `${field}.unmatchedPreflights`, c.unmatchedPreflights, 'unmatched-preflight handling');
  const allowOrigins = c.allowOrigins.map((o, i) => {
    if (o.kind !== 'exact')
      refuse(
        scope,
        `${field}.allowOrigins[${i}].${o.kind}`,
        o.value,
        `${o.kind} origin match`,
        'list exact origins; the host may start with "*." to allow its subdomains',
      );
    if (o.value.length > 253 || !CORS_ORIGIN.test(o.value))
      reject(
        scope,
        `${field}.allowOrigins[${i}].exact`,
        o.value,
        `an origin ${GATEWAY_API} accepts: "*", or http(s)://host[:port] where the host may start with "*."`,
      );
    return o.value;
  });
  const alone = (f: string, values: readonly string[] | undefined) => {
    if (values === undefined) return;
    if (values.length > MAX_CORS_ITEMS)
      reject(scope, `${field}.${f}`, `${values.length} values`, `at most ${MAX_CORS_ITEMS} in ${GATEWAY_API}`);
    if (values.includes('*') && values.length > 1)
      reject(scope, `${field}.${f}`, values, `"*" alone in ${GATEWAY_API}`);
  };
  alone('allowOrigins', allowOrigins);
  alone('allowMethods', c.allowMethods);
  alone('allowHeaders', c.allowHeaders);
  alone('exposeHeaders', c.exposeHeaders);
  (c.allowHeaders ?? []).concat(c.exposeHeaders ?? []).forEach((h) => {
    if (h.length > 256)
      reject(scope, `${field}.allowHeaders`, h, `header names of at most 256 characters in ${GATEWAY_API}`);
  });
  return {
    allowOrigins,
    allowMethods: c.allowMethods?.map((m) => m as HttpRouteSpecRulesFiltersCorsAllowMethods),
    allowHeaders: c.allowHeaders === undefined ? undefined : [...c.allowHeaders],
    exposeHeaders: c.exposeHeaders === undefined ? undefined : [...c.exposeHeaders],
    // Whole seconds (validateRoute checked); the CRD's default is 5 s when left out.
    maxAge: c.maxAge === undefined ? undefined : c.maxAge.toSeconds(),
    allowCredentials: c.allowCredentials,
  };
}

/** The Gateway API path modifier of a PathReplacement (validated by validateRoute). */
function pathModifier(p: PathReplacement | undefined) {
  if (p === undefined) return undefined;
  return p.kind === 'full'
    ? { type: 'ReplaceFullPath', replaceFullPath: p.value }
    : { type: 'ReplacePrefixMatch', replacePrefixMatch: p.value };
}

const MAX_HEADER_CHANGES = 16;

function headerFilter(
  scope: IConstruct,
  field: string,
  mod: HeaderModifier,
  direction: 'request' | 'response',
): HttpRouteSpecRulesFiltersRequestHeaderModifier {
  const { set, add, remove } = checkHeaderModifier(scope, field, mod, direction);
  for (const [f, record] of [
    ['set', set],
    ['add', add],
  ] as const) {
    const pseudo = Object.keys(record ?? {}).find((k) => k.startsWith(':'));
    if (pseudo !== undefined)
      refuse(scope, `${field}.${f}`, pseudo, 'pseudo-header change', 'set Host, or rewrite the hostname');
  }
  const list = (f: string, record: Record<string, string> | undefined) => {
    if (record === undefined) return undefined;
    const entries = Object.entries(record);
    if (entries.length > MAX_HEADER_CHANGES)
      reject(scope, `${field}.${f}`, `${entries.length} headers`, `at most ${MAX_HEADER_CHANGES} in ${GATEWAY_API}`);
    return entries.map(([name, value]) => ({ name, value }));
  };
  if (remove !== undefined && remove.length > MAX_HEADER_CHANGES)
    reject(scope, `${field}.remove`, `${remove.length} headers`, `at most ${MAX_HEADER_CHANGES} in ${GATEWAY_API}`);
  return { set: list('set', set), add: list('add', add), remove };
}

/** Rule names are Gateway API SectionNames: DNS-1123 subdomain characters, at most 253. */
function checkSectionName(scope: IConstruct, field: string, name: string): string {
  checkNonEmpty(scope, field, name);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) || name.length > 253)
    reject(
      scope,
      field,
      name,
      `a rule name ${GATEWAY_API} accepts: lowercase letters, digits, "-" and ".", at most 253`,
    );
  return name;
}

function renderMirror(
  scope: IConstruct,
  field: string,
  mirror: Mirror,
  context: GatewayApiRouteContext,
): HttpRouteSpecRulesFilters {
  if (!context.mirrorBackendFor) refuse(scope, field, mirror, 'mirror target this construct can resolve');
  const b = context.mirrorBackendFor(field, mirror);
  const pct = checkPercent(scope, `${field}.percentage`, mirror.percentage ?? Percent.ALL);
  let share: { percent?: number; fraction?: { numerator: number; denominator: number } } = {};
  if (pct === 100) share = {};
  else if (Number.isInteger(pct)) share = { percent: pct };
  else {
    // A fraction of a million keeps the four decimals Istio's percentages have.
    const numerator = Math.round(pct * 10_000);
    if (Math.abs(numerator - pct * 10_000) > 1e-6)
      reject(scope, `${field}.percentage`, pct, `a percentage with at most 4 decimals in ${GATEWAY_API}`);
    share = { fraction: { numerator, denominator: 1_000_000 } };
  }
  return {
    type: HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
    requestMirror: { backendRef: { name: b.name, namespace: b.namespace, port: b.port }, ...share },
  };
}
