/**
 * Route matches and actions in a few words each, for the pictures: `uri prefix /static`,
 * `header end-user = jason`, `fault: delay 7s (100%)`. Every field Istio's HTTPMatchRequest,
 * L4MatchAttributes and TLSMatchAttributes (and the Gateway API's HTTPRouteMatch) can hold is
 * described, so that two different matches never read the same.
 */
import { asArray } from '../analysis/mesh-index';

/** `exact x` → `= x`, `prefix x` → `prefix x`, `regex x` → `~ x`. */
function stringMatch(m: any): string {
  if (m === null || typeof m !== 'object') return `= ${String(m)}`;
  if (m.exact !== undefined) return `= ${String(m.exact)}`;
  if (m.prefix !== undefined) return `prefix ${String(m.prefix)}`;
  if (m.regex !== undefined) return `~ ${String(m.regex)}`;
  return 'present';
}

function mapMatches(label: string, map: unknown): string[] {
  if (map === null || typeof map !== 'object') return [];
  return Object.entries(map as Record<string, unknown>).map(([k, v]) => `${label} ${k} ${stringMatch(v)}`);
}

function labels(map: unknown): string {
  if (map === null || typeof map !== 'object') return '';
  return Object.entries(map as Record<string, unknown>)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

/** One Istio match (all its conditions must hold): `uri prefix /api, header end-user = jason`. */
export function describeIstioMatch(m: any, protocol: 'http' | 'tcp' | 'tls'): string {
  if (m === null || typeof m !== 'object') return 'any';
  const parts: string[] = [];
  if (typeof m.name === 'string') parts.push(`[${m.name}]`);
  if (protocol === 'http') {
    if (m.uri !== undefined) parts.push(`uri ${stringMatch(m.uri)}${m.ignoreUriCase ? ' (any case)' : ''}`);
    if (m.scheme !== undefined) parts.push(`scheme ${stringMatch(m.scheme)}`);
    if (m.method !== undefined) parts.push(`method ${stringMatch(m.method)}`);
    if (m.authority !== undefined) parts.push(`authority ${stringMatch(m.authority)}`);
    parts.push(...mapMatches('header', m.headers));
    parts.push(...mapMatches('query', m.queryParams));
    parts.push(...mapMatches('without header', m.withoutHeaders));
  }
  if (protocol === 'tls' && m.sniHosts !== undefined) parts.push(`sni ${asArray(m.sniHosts).join(',')}`);
  if (protocol !== 'http' && m.destinationSubnets !== undefined)
    parts.push(`to subnet ${asArray(m.destinationSubnets).join(',')}`);
  if (m.port !== undefined) parts.push(`port ${String(m.port)}`);
  if (m.sourceLabels !== undefined) parts.push(`from pods ${labels(m.sourceLabels)}`);
  if (m.sourceNamespace !== undefined) parts.push(`from namespace ${String(m.sourceNamespace)}`);
  if (m.gateways !== undefined) parts.push(`via ${asArray(m.gateways).join(',')}`);
  if (m.statPrefix !== undefined) parts.push(`stats ${String(m.statPrefix)}`);
  return parts.length === 0 ? 'any' : parts.join(', ');
}

function duration(d: unknown): string {
  return d === undefined ? '' : String(d);
}

function percentOf(p: any): string {
  const v = p?.value ?? p;
  return v === undefined ? '100%' : `${String(v)}%`;
}

function headerOps(label: string, ops: any): string[] {
  if (ops === null || typeof ops !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(ops.set ?? {})) out.push(`${label} set ${k}: ${String(v)}`);
  for (const [k, v] of Object.entries(ops.add ?? {})) out.push(`${label} add ${k}: ${String(v)}`);
  for (const k of asArray(ops.remove)) out.push(`${label} remove ${String(k)}`);
  return out;
}

/** What an Istio HTTP rule does besides routing, one entry per action. */
export function describeHttpActions(rule: any): string[] {
  if (rule === null || typeof rule !== 'object') return [];
  const out: string[] = [];
  const fault = rule.fault;
  if (fault?.delay !== undefined) {
    out.push(
      `fault: delay ${duration(fault.delay.fixedDelay)} (${percentOf(fault.delay.percentage ?? fault.delay.percent)})`,
    );
  }
  if (fault?.abort !== undefined) {
    const what = fault.abort.httpStatus ?? fault.abort.grpcStatus ?? fault.abort.http2Error;
    out.push(`fault: abort ${String(what)} (${percentOf(fault.abort.percentage)})`);
  }
  if (rule.timeout !== undefined) out.push(`timeout ${duration(rule.timeout)}`);
  if (rule.retries !== undefined) {
    const r = rule.retries;
    const extra = [
      r.perTryTimeout ? `per try ${String(r.perTryTimeout)}` : '',
      r.retryOn ? `on ${String(r.retryOn)}` : '',
    ]
      .filter((s) => s !== '')
      .join(', ');
    out.push(`retries ${String(r.attempts ?? 0)}${extra ? ` (${extra})` : ''}`);
  }
  if (rule.rewrite !== undefined) {
    const rw = rule.rewrite;
    if (rw.uri !== undefined) out.push(`rewrite uri → ${String(rw.uri)}`);
    if (rw.uriRegexRewrite !== undefined)
      out.push(`rewrite uri ~ ${String(rw.uriRegexRewrite.match)} → ${String(rw.uriRegexRewrite.rewrite)}`);
    if (rw.authority !== undefined) out.push(`rewrite authority → ${String(rw.authority)}`);
  }
  if (rule.redirect !== undefined) {
    const rd = rule.redirect;
    const to = [
      rd.scheme ? `${String(rd.scheme)}://` : '',
      rd.authority ?? '',
      rd.port ? `:${String(rd.port)}` : '',
      rd.uri ?? '',
    ]
      .map(String)
      .join('');
    out.push(`redirect ${String(rd.redirectCode ?? 301)} → ${to || '(same)'}`);
  }
  if (rule.directResponse !== undefined) out.push(`responds ${String(rule.directResponse.status)}`);
  if (rule.delegate !== undefined)
    out.push(
      `delegates to ${String(rule.delegate.namespace ?? '')}${rule.delegate.namespace ? '/' : ''}${String(rule.delegate.name)}`,
    );
  out.push(...headerOps('request', rule.headers?.request), ...headerOps('response', rule.headers?.response));
  if (rule.corsPolicy !== undefined) out.push('CORS policy');
  return out;
}

/** One Gateway API HTTPRouteMatch: `path prefix /api, header x-canary = true`. */
export function describeGatewayApiMatch(m: any): string {
  if (m === null || typeof m !== 'object') return 'any';
  const parts: string[] = [];
  if (m.path !== undefined) {
    const type = String(m.path.type ?? 'PathPrefix');
    const op = type === 'Exact' ? '=' : type === 'RegularExpression' ? '~' : 'prefix';
    parts.push(`path ${op} ${String(m.path.value ?? '/')}`);
  }
  for (const h of asArray(m.headers))
    parts.push(`header ${String(h?.name)} ${h?.type === 'RegularExpression' ? '~' : '='} ${String(h?.value)}`);
  for (const q of asArray(m.queryParams))
    parts.push(`query ${String(q?.name)} ${q?.type === 'RegularExpression' ? '~' : '='} ${String(q?.value)}`);
  if (m.method !== undefined) parts.push(`method = ${String(m.method)}`);
  // gRPC: service/method.
  if (m.method?.service !== undefined)
    parts.splice(parts.length - 1, 1, `grpc ${String(m.method.service)}/${String(m.method.method ?? '*')}`);
  return parts.length === 0 ? 'any' : parts.join(', ');
}

/** What a Gateway API rule does besides routing: its filters (mirrors are drawn as edges) and timeouts. */
export function describeGatewayApiFilters(rule: any): string[] {
  if (rule === null || typeof rule !== 'object') return [];
  const out: string[] = [];
  for (const f of asArray(rule.filters)) {
    switch (f?.type) {
      case 'URLRewrite': {
        const path = f.urlRewrite?.path;
        if (path !== undefined) out.push(`rewrite path → ${String(path.replacePrefixMatch ?? path.replaceFullPath)}`);
        if (f.urlRewrite?.hostname !== undefined) out.push(`rewrite host → ${String(f.urlRewrite.hostname)}`);
        break;
      }
      case 'RequestRedirect': {
        const r = f.requestRedirect ?? {};
        out.push(
          `redirect ${String(r.statusCode ?? 302)} → ${[r.scheme, r.hostname, r.port].filter((x) => x !== undefined).join(' ') || '(same)'}`,
        );
        break;
      }
      case 'RequestHeaderModifier':
        out.push(...gatewayHeaderOps('request', f.requestHeaderModifier));
        break;
      case 'ResponseHeaderModifier':
        out.push(...gatewayHeaderOps('response', f.responseHeaderModifier));
        break;
      case 'RequestMirror':
        break;
      default:
        out.push(`filter ${String(f?.type)}`);
    }
  }
  if (rule.timeouts?.request !== undefined) out.push(`timeout ${String(rule.timeouts.request)}`);
  if (rule.timeouts?.backendRequest !== undefined) out.push(`backend timeout ${String(rule.timeouts.backendRequest)}`);
  if (rule.retry !== undefined) out.push(`retries ${String(rule.retry.attempts ?? 0)}`);
  return out;
}

function gatewayHeaderOps(label: string, m: any): string[] {
  if (m === null || typeof m !== 'object') return [];
  return [
    ...asArray(m.set).map((h) => `${label} set ${String(h?.name)}: ${String(h?.value)}`),
    ...asArray(m.add).map((h) => `${label} add ${String(h?.name)}: ${String(h?.value)}`),
    ...asArray(m.remove).map((h) => `${label} remove ${String(h)}`),
  ];
}
