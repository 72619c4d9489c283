import { parseGoDuration } from '../core/_go-duration';
import { firstOverlappingHosts } from '../core/_host-match';
import { PROXY_RESERVED_PORTS } from '../core/input-validation';
import { CheckContext, reportProblem } from './check-context';
import { MESH_CHECKS } from './findings';
import { asArray, IndexedObject } from './mesh-index';

const MESH = 'mesh';
/** Istio's JWT-claim header names (pkg/jwt ToRoutingClaim): `@request.auth.claims.a.b` or `@request.auth.claims[a][b]`, any case. */
const JWT_CLAIM_HEADER = /^@request\.auth\.claims(\..+|\[.+\])$/i;

/**
 * Rules of istiod's validating webhook (pkg/config/validation ValidateVirtualService) for one
 * VirtualService of plain YAML, which the library's constructs refuse at construction: `kubectl apply`
 * would be refused with these.
 */
export function runIstiodValidationChecks(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.ISTIOD_REJECTS)) return;
  for (const vs of context.index.istio('VirtualService')) {
    const spec = vs.manifest.spec;
    if (spec === null || typeof spec !== 'object') continue;
    const gateways = asArray(spec.gateways);
    // istiod: no gateways, or "mesh" among them, and the VirtualService applies to the sidecars.
    const meshBound = gateways.length === 0 || gateways.includes(MESH);
    checkHosts(context, vs, asArray(spec.hosts), meshBound);
    if (meshBound) checkJwtClaims(context, vs, spec, gateways);
    asArray(spec.http).forEach((rule, i) => {
      const at = `spec.http[${i}]`;
      checkDuration(context, vs, `${at}.timeout`, rule?.timeout);
      checkDuration(context, vs, `${at}.retries.perTryTimeout`, rule?.retries?.perTryTimeout);
      checkDuration(context, vs, `${at}.retries.backoff`, rule?.retries?.backoff);
      checkDuration(context, vs, `${at}.fault.delay.fixedDelay`, rule?.fault?.delay?.fixedDelay);
      checkDuration(context, vs, `${at}.corsPolicy.maxAge`, rule?.corsPolicy?.maxAge);
    });
  }
  for (const se of context.index.istio('ServiceEntry')) checkServiceEntry(context, se);
  runProxyPortChecks(context);
  for (const dr of context.index.istio('DestinationRule')) {
    const spec = dr.manifest.spec;
    if (spec === null || typeof spec !== 'object') continue;
    checkTrafficPolicy(context, dr, 'spec.trafficPolicy', spec.trafficPolicy);
    asArray(spec.subsets).forEach((s, i) =>
      checkTrafficPolicy(context, dr, `spec.subsets[${i}].trafficPolicy`, s?.trafficPolicy),
    );
  }
}

/** BKI-PROXY-PORT: listeners istiod would build on a port the proxy holds itself. */
function runProxyPortChecks(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.PROXY_PORT)) return;
  const report = (subject: IndexedObject, field: string, port: unknown, who: string) => {
    const use = typeof port === 'number' ? PROXY_RESERVED_PORTS.get(port) : undefined;
    if (use === undefined) return;
    reportProblem(context, MESH_CHECKS.PROXY_PORT, subject, {
      field,
      value: port,
      problem: `is a port ${who} listens on itself (${use}): istiod accepts it, but skips the listener or Envoy cannot bind it`,
      expected: `a port other than ${[...PROXY_RESERVED_PORTS.keys()].join(', ')}`,
    });
  };
  for (const gw of context.index.istio('Gateway'))
    asArray(gw.manifest.spec?.servers).forEach((s, i) =>
      report(gw, `spec.servers[${i}].port.number`, s?.port?.number, "the gateway's proxy"),
    );
  for (const se of context.index.istio('ServiceEntry'))
    asArray(se.manifest.spec?.ports).forEach((p, i) =>
      report(se, `spec.ports[${i}].number`, p?.number, 'every sidecar of the mesh'),
    );
  for (const sc of context.index.istio('Sidecar'))
    for (const key of ['ingress', 'egress'])
      asArray(sc.manifest.spec?.[key]).forEach((l, i) =>
        report(sc, `spec.${key}[${i}].port.number`, l?.port?.number, 'the sidecar'),
      );
}

/** Protocols istiod tells hosts apart on (its protocol IsHTTP() or IsTLS()), upper case. */
const L7_OR_TLS = new Set(['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-WEB', 'HTTPS', 'TLS']);

/** ValidateServiceEntry's CIDR-address and several-hosts rules (the schema checks the rest's shape). */
function checkServiceEntry(context: CheckContext, se: IndexedObject): void {
  const spec = se.manifest.spec;
  if (spec === null || typeof spec !== 'object') return;
  const resolution = typeof spec.resolution === 'string' ? spec.resolution : 'NONE';
  const addresses = asArray(spec.addresses);
  const cidr = addresses.findIndex((a) => typeof a === 'string' && a.includes('/'));
  if (cidr >= 0 && resolution !== 'NONE' && resolution !== 'STATIC')
    reportProblem(context, MESH_CHECKS.ISTIOD_REJECTS, se, {
      field: `spec.addresses[${cidr}]`,
      value: addresses[cidr],
      problem: `is refused by istiod with resolution ${resolution}: "CIDR addresses are allowed only for NONE/STATIC resolution types"`,
      expected: 'single IP addresses, or resolution NONE or STATIC',
    });
  if (resolution === 'NONE' || asArray(spec.hosts).length < 2) return;
  const ports = asArray(spec.ports);
  const opaque = ports.findIndex((p) => !L7_OR_TLS.has(String(p?.protocol ?? '').toUpperCase()));
  if (opaque >= 0)
    reportProblem(context, MESH_CHECKS.ISTIOD_REJECTS, se, {
      field: `spec.ports[${opaque}].protocol`,
      value: ports[opaque]?.protocol,
      problem: `is refused by istiod with several hosts and resolution ${resolution}: "multiple hosts provided with non-HTTP, non-TLS ports"`,
      expected: 'HTTP, HTTPS, HTTP2, GRPC or TLS ports, one host per ServiceEntry, or resolution NONE',
    });
}

/** Nanoseconds of a duration as Go's time.ParseDuration reads it (a sign allowed), or why Go refuses it. */
function goNanos(value: unknown): bigint | string {
  if (typeof value !== 'string') return 'a duration is a string';
  const signed = value[0] === '-' || value[0] === '+';
  const nanos = parseGoDuration(signed ? value.slice(1) : value);
  return typeof nanos === 'bigint' && value[0] === '-' ? -nanos : nanos;
}

/** The Duration fields of a traffic policy that istiod validates (and its port-level settings). */
function checkTrafficPolicy(
  context: CheckContext,
  dr: IndexedObject,
  at: string,
  policy: any,
  portLevel = false,
): void {
  if (policy === null || typeof policy !== 'object') return;
  const tcp = policy.connectionPool?.tcp;
  checkDuration(context, dr, `${at}.connectionPool.tcp.connectTimeout`, tcp?.connectTimeout);
  checkDuration(context, dr, `${at}.connectionPool.tcp.maxConnectionDuration`, tcp?.maxConnectionDuration);
  // istiod: an idle timeout of 0s disables it, and is not validated.
  if (goNanos(tcp?.idleTimeout) !== 0n)
    checkDuration(context, dr, `${at}.connectionPool.tcp.idleTimeout`, tcp?.idleTimeout);
  checkDuration(context, dr, `${at}.connectionPool.tcp.tcpKeepalive.time`, tcp?.tcpKeepalive?.time);
  checkDuration(context, dr, `${at}.connectionPool.tcp.tcpKeepalive.interval`, tcp?.tcpKeepalive?.interval);
  checkDuration(context, dr, `${at}.connectionPool.http.idleTimeout`, policy.connectionPool?.http?.idleTimeout);
  checkDuration(context, dr, `${at}.outlierDetection.interval`, policy.outlierDetection?.interval);
  checkDuration(context, dr, `${at}.outlierDetection.baseEjectionTime`, policy.outlierDetection?.baseEjectionTime);
  if (!portLevel)
    asArray(policy.portLevelSettings).forEach((p, i) =>
      checkTrafficPolicy(context, dr, `${at}.portLevelSettings[${i}]`, p, true),
    );
}

const NANOS_PER_MS = 1_000_000n;

/**
 * A Duration field as the CRD's CEL rule (`duration(self) >= duration('1ms')`, Go's time.ParseDuration)
 * and istiod's `ValidateDuration` (at least 1 ms, millisecond precision) judge it.
 */
function checkDuration(context: CheckContext, subject: IndexedObject, field: string, value: unknown): void {
  if (value === undefined || value === null) return;
  const nanos = goNanos(value);
  const problem =
    typeof nanos === 'string'
      ? `is refused by the CRD's CEL rule: "must be a valid duration greater than 1ms" (as Go's time.ParseDuration reads it: ${nanos})`
      : nanos < NANOS_PER_MS
        ? 'is refused by istiod: "duration must be greater than 1ms"'
        : nanos % NANOS_PER_MS !== 0n
          ? 'is refused by istiod: "only durations to ms precision are supported"'
          : undefined;
  if (problem === undefined) return;
  reportProblem(context, MESH_CHECKS.ISTIOD_REJECTS, subject, {
    field,
    value,
    problem,
    expected: 'a Go duration of whole milliseconds from 1ms to 2562047h, e.g. "10s", "1.5s" or "500ms"',
  });
}

function checkHosts(context: CheckContext, vs: IndexedObject, hosts: unknown[], meshBound: boolean): void {
  if (!hosts.every((h): h is string => typeof h === 'string' && h !== '')) return; // the schema's job
  const star = hosts.indexOf('*');
  if (meshBound && star >= 0) {
    reportProblem(context, MESH_CHECKS.ISTIOD_REJECTS, vs, {
      field: `spec.hosts[${star}]`,
      value: '*',
      problem: 'is refused by istiod: "wildcard host * is not allowed for virtual services bound to the mesh gateway"',
      expected: 'host names (or "*.domain"), or gateways without "mesh" for "*"',
    });
    return; // istiod skips the duplicate check when a host is invalid
  }
  const expected =
    "hosts of which none is another one or covered by another one's wildcard: split them over VirtualServices";
  const pair = firstOverlappingHosts(hosts, false);
  if (pair !== undefined) {
    const [a, b] = pair.map((i) => hosts[i]);
    reportProblem(context, MESH_CHECKS.ISTIOD_REJECTS, vs, {
      field: 'spec.hosts',
      value: hosts,
      problem: `is refused by istiod: "duplicate hosts in virtual service: ${a} & ${b}" (equal names, or one wildcard covering the other)`,
      expected,
    });
    return;
  }
  const folded = firstOverlappingHosts(hosts);
  if (folded === undefined) return;
  const [a, b] = folded.map((i) => hosts[i]);
  reportProblem(context, MESH_CHECKS.ISTIOD_REJECTS, vs, {
    field: 'spec.hosts',
    value: hosts,
    problem: `names one host twice: ${a} & ${b} differ only in case, which istiod's duplicate check compares as written, but DNS names (and the Host header Envoy matches) do not`,
    expected,
  });
}

function checkJwtClaims(context: CheckContext, vs: IndexedObject, spec: any, gateways: unknown[]): void {
  asArray(spec.http).forEach((rule, i) =>
    asArray(rule?.match).forEach((m, j) => {
      for (const key of ['headers', 'withoutHeaders']) {
        const headers = m?.[key];
        if (headers === null || typeof headers !== 'object') continue;
        const claim = Object.keys(headers).find((h) => JWT_CLAIM_HEADER.test(h));
        if (claim === undefined) continue;
        reportProblem(context, MESH_CHECKS.ISTIOD_REJECTS, vs, {
          field: `spec.http[${i}].match[${j}].${key}`,
          value: claim,
          problem: `is refused by istiod: "JWT claim based routing (key: ${claim}) is only supported for gateway" (gateways: ${gateways.length === 0 ? 'none, the mesh' : gateways.join(', ')})`,
          expected: 'a VirtualService bound only to gateways (no "mesh") for JWT claim matches',
        });
      }
    }),
  );
}
