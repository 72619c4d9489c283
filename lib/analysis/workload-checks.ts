import { ISTIO_PORT_PROTOCOLS, istioPortProtocol } from '../core/_protocols';
import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS } from './findings';
import { asArray, IndexedObject, IndexedWorkload, optedOutOfInjection } from './mesh-index';

const SUBSET_NAME = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
/** Protocols Istio selects from a port name prefix or `appProtocol` (case-insensitive). */
const PROTOCOLS = Object.keys(ISTIO_PORT_PROTOCOLS);
/** Well-known server-first ports Istio treats as TCP whatever their name (IST0118 exempts them). */
const EXEMPT_PORTS = new Set([25, 53, 3306, 27017]);
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);
const NAME_LABELS = ['app', 'app.kubernetes.io/name', 'service.istio.io/canonical-name'];
const VERSION_LABELS = ['version', 'app.kubernetes.io/version', 'service.istio.io/canonical-revision'];

/** DestinationRule, Service-port and pod-label checks. Runs after the routing checks (uses `routedHosts`). */
export function runWorkloadChecks(context: CheckContext): void {
  checkDestinationRules(context);
  checkServicePorts(context);
  checkServiceEntries(context);
  checkWorkloadLabels(context);
}

function checkDestinationRules(context: CheckContext): void {
  const { index } = context;
  const byHost = new Map<string, IndexedObject[]>();
  for (const dr of index.istio('DestinationRule')) {
    const spec = dr.manifest.spec ?? {};
    if (typeof spec.host !== 'string') continue;
    const fqdn = index.normalizeHost(spec.host, dr.namespace);
    context.routedHosts.add(fqdn);
    const subsets = asArray(spec.subsets);

    const seen = new Set<string>();
    subsets.forEach((s, j) => {
      const name = s?.name;
      const field = `spec.subsets[${j}].name`;
      if (typeof name !== 'string' || name.length > 63 || !SUBSET_NAME.test(name)) {
        if (context.enabled(MESH_CHECKS.SUBSET_NAME)) {
          reportProblem(context, MESH_CHECKS.SUBSET_NAME, dr, {
            field,
            value: name,
            problem: 'is not a valid subset name',
            expected:
              'a DNS-1123 label: 1-63 letters, digits or "-", starting and ending with a letter or digit (no dots, e.g. "v1" or "v2-mysql")',
          });
        }
      } else if (seen.has(name)) {
        if (context.enabled(MESH_CHECKS.SUBSET_DUPLICATE)) {
          reportProblem(context, MESH_CHECKS.SUBSET_DUPLICATE, dr, {
            field,
            value: name,
            problem: 'is defined twice in this DestinationRule (Istio ignores the second)',
            expected: 'unique subset names',
          });
        }
      }
      if (typeof name === 'string') seen.add(name);
    });

    const key = `${dr.namespace}|${fqdn}`;
    const sameHost = byHost.get(key);
    if (sameHost) sameHost.push(dr);
    else byHost.set(key, [dr]);

    if (fqdn.includes('*')) continue;
    // Only Services and ServiceEntries exported to the rule's namespace resolve its host.
    const found = index.isClusterLocal(fqdn) ? index.service(fqdn) : undefined;
    const svc = found !== undefined && index.visibleTo(found, dr.namespace) ? found : undefined;
    if (svc === undefined) {
      const entry = index.serviceEntriesFor(fqdn).some((e) => index.visibleTo(e, dr.namespace));
      if (!entry && context.enabled(MESH_CHECKS.DR_HOST_UNKNOWN)) {
        reportProblem(context, MESH_CHECKS.DR_HOST_UNKNOWN, dr, {
          field: 'spec.host',
          value: spec.host,
          problem: `resolves to ${fqdn}, which is neither a Service of the app nor a ServiceEntry host, so the rule applies to nothing`,
          expected: 'the name of a Service of the app, or a host declared by a ServiceEntry',
        });
      }
      continue;
    }
    checkSubsetsSelectPods(context, dr, svc, subsets);
  }
  checkDuplicateHosts(context, byHost);
}

/**
 * DestinationRules of one host in one namespace that some namespace sees together (exportTo):
 * Istio merges them, keeping the first definition of a subset and the first top-level
 * trafficPolicy; Kiali (KIA0201) flags every rule involved, so each gets a finding naming the others.
 */
function checkDuplicateHosts(context: CheckContext, byHost: Map<string, IndexedObject[]>): void {
  const conflicts = context.enabled(MESH_CHECKS.DR_CONFLICT);
  const duplicates = context.enabled(MESH_CHECKS.DR_DUPLICATE_HOST);
  if (!conflicts && !duplicates) return;
  const { index } = context;
  const describe = (rules: IndexedObject[]) =>
    rules.map((o) => `DestinationRule ${o.namespace}/${o.name} at ${o.path}`).join(', ');
  for (const rules of byHost.values()) {
    if (rules.length < 2) continue;
    for (const dr of rules) {
      const peers = rules.filter((o) => o !== dr && index.visibleTogether(dr, o));
      if (peers.length === 0) continue;
      const spec = dr.manifest.spec;
      const fqdn = index.normalizeHost(spec.host, dr.namespace);
      let conflict = false;
      const own = new Set<string>();
      asArray(spec.subsets).forEach((s, j) => {
        const name = s?.name;
        if (typeof name !== 'string' || own.has(name)) return; // a repeat inside one rule is BKI-SUBSET-DUPLICATE
        own.add(name);
        const owners = peers.filter((o) => index.subsetsOf(o).has(name));
        if (owners.length === 0) return;
        conflict = true;
        if (!conflicts) return;
        reportProblem(context, MESH_CHECKS.DR_CONFLICT, dr, {
          field: `spec.subsets[${j}].name`,
          value: name,
          problem: `is also defined for host ${fqdn} by ${describe(owners)}; Istio merges the rules and keeps only the first definition`,
          expected: 'each subset defined once per host: merge the DestinationRules',
        });
      });
      if (spec.trafficPolicy !== undefined) {
        const owners = peers.filter((o) => o.manifest.spec?.trafficPolicy !== undefined);
        if (owners.length > 0) {
          conflict = true;
          if (conflicts) {
            reportProblem(context, MESH_CHECKS.DR_CONFLICT, dr, {
              field: 'spec.trafficPolicy',
              value: spec.trafficPolicy,
              problem: `is set for host ${fqdn} by ${describe(owners)} too; Istio merges the rules and keeps only the first top-level trafficPolicy`,
              expected: 'one top-level trafficPolicy per host: merge the DestinationRules',
            });
          }
        }
      }
      if (conflict || !duplicates) continue;
      // Kiali matches a rule without subsets against every subset (KIA0201); distinct subsets are library policy.
      const kialiFlagsIt = [dr, ...peers].some((o) => asArray(o.manifest.spec?.subsets).length === 0);
      reportProblem(context, MESH_CHECKS.DR_DUPLICATE_HOST, dr, {
        field: 'spec.host',
        value: spec.host,
        problem: `is also configured by ${describe(peers)} in the same namespace`,
        expected: 'one DestinationRule per host and namespace (Istio merges them, which is easy to get wrong)',
        mirrors: kialiFlagsIt ? undefined : 'library',
      });
    }
  }
}

function checkSubsetsSelectPods(context: CheckContext, dr: IndexedObject, svc: IndexedObject, subsets: any[]): void {
  if (!context.enabled(MESH_CHECKS.SUBSET_NO_PODS)) return;
  const selector: Record<string, string> = svc.manifest.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) return; // a selector-less Service has no pods we know of
  subsets.forEach((s, j) => {
    const labels: Record<string, string> = podLabelsOf(s?.labels ?? {});
    if (Object.keys(labels).length === 0) return;
    const clash = Object.entries(labels).some(([k, v]) => selector[k] !== undefined && selector[k] !== v);
    if (!clash && context.index.selectWorkloads(svc.namespace, { ...selector, ...labels }).length > 0) return;
    const available = distinctLabelSets(context.index.selectWorkloads(svc.namespace, selector), Object.keys(labels));
    reportProblem(context, MESH_CHECKS.SUBSET_NO_PODS, dr, {
      field: `spec.subsets[${j}].labels`,
      value: s?.labels,
      problem: `select no pod template behind Service ${svc.namespace}/${svc.name} (selector ${describeValue(selector)}), so subset ${describeValue(s?.name)} has no endpoints`,
      expected:
        available.length > 0
          ? `labels of a pod template of that Service: ${available.map((a) => describeValue(a)).join(', ')}`
          : 'a pod template selected by that Service (none is in the app)',
    });
  });
}

/**
 * The labels of a subset that pod templates must carry: not the `topology.kubernetes.io/*` and
 * `topology.istio.io/*` labels, which Istio adds to every endpoint from its Node, cluster and network.
 */
function podLabelsOf(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (!k.startsWith('topology.kubernetes.io/') && !k.startsWith('topology.istio.io/')) out[k] = v;
  }
  return out;
}

/** The distinct values the selected workloads have for `keys`, e.g. [{version: 'v1'}, {version: 'v2'}]. */
function distinctLabelSets(workloads: IndexedWorkload[], keys: string[]): Record<string, string>[] {
  const seen = new Map<string, Record<string, string>>();
  for (const w of workloads) {
    const picked: Record<string, string> = {};
    for (const k of keys) if (w.labels[k] !== undefined) picked[k] = w.labels[k];
    if (Object.keys(picked).length > 0) seen.set(JSON.stringify(picked), picked);
  }
  return [...seen.values()].slice(0, 10);
}

function checkServicePorts(context: CheckContext): void {
  const names = context.enabled(MESH_CHECKS.PORT_NAME_PROTOCOL);
  const appProtocols = context.enabled(MESH_CHECKS.APP_PROTOCOL);
  if (!names && !appProtocols) return;
  const { index } = context;
  for (const svc of index.ofKind('', 'Service')) {
    if (SYSTEM_NAMESPACES.has(svc.namespace) || svc.manifest.spec?.type === 'ExternalName') continue;
    const labels = svc.manifest.metadata?.labels ?? {};
    if ('istio' in labels || labels.release === 'istio') continue; // Istio's own control plane, as IST0118 skips it
    // Services Istio generates for waypoints (and other managed gateways) carry HBONE, not named ports.
    if (labels['gateway.istio.io/managed'] !== undefined) continue;
    if (asArray(svc.manifest.spec?.ports).some((p) => p?.appProtocol === 'hbone')) continue;
    const selector = svc.manifest.spec?.selector ?? {};
    const pods = Object.keys(selector).length > 0 ? index.selectWorkloads(svc.namespace, selector) : [];
    // Pods without a sidecar (Istio's addons) do not depend on protocol selection.
    if (pods.length > 0 && pods.every(optedOutOfInjection)) continue;
    asArray(svc.manifest.spec?.ports).forEach((p, j) => {
      if (p?.protocol === 'UDP' || EXEMPT_PORTS.has(p?.port)) return;
      if (p?.appProtocol !== undefined) {
        if (appProtocols && istioPortProtocol(undefined, String(p.appProtocol)) === undefined) {
          reportProblem(context, MESH_CHECKS.APP_PROTOCOL, svc, {
            field: `spec.ports[${j}].appProtocol`,
            value: p.appProtocol,
            problem: 'is not a protocol Istio knows, so traffic on this port is treated as opaque TCP',
            expected: `one of ${PROTOCOLS.join(', ')}`,
          });
        }
        return;
      }
      const name = p?.name;
      if (!names || istioPortProtocol(name) !== undefined) return;
      reportProblem(context, MESH_CHECKS.PORT_NAME_PROTOCOL, svc, {
        field: `spec.ports[${j}].name`,
        value: name,
        problem: `${name === undefined ? 'leaves the port unnamed' : 'has no protocol prefix Istio knows'}, so Istio cannot select the protocol of port ${p?.port} (no HTTP routing, retries or metrics)`,
        expected: `a name "<protocol>[-<suffix>]" with protocol one of ${PROTOCOLS.join(', ')} (e.g. "http" or "http-web"), or appProtocol set`,
      });
    });
  }
}

function checkServiceEntries(context: CheckContext): void {
  const hosts = context.enabled(MESH_CHECKS.SERVICE_ENTRY_HOST_SERVICE);
  const protocols = context.enabled(MESH_CHECKS.SERVICE_ENTRY_PORT_PROTOCOL);
  if (!hosts && !protocols) return;
  const { index } = context;
  for (const se of index.istio('ServiceEntry')) {
    asArray(se.manifest.spec?.hosts).forEach((host, i) => {
      if (!hosts || typeof host !== 'string') return;
      const svc = index.service(index.normalizeHost(host, se.namespace));
      if (svc === undefined) return;
      reportProblem(context, MESH_CHECKS.SERVICE_ENTRY_HOST_SERVICE, se, {
        field: `spec.hosts[${i}]`,
        value: host,
        problem: `is the host of Service ${svc.namespace}/${svc.name} (${svc.path}): Istio takes the entry as a decorator of that Service and ignores its ports, endpoints and resolution`,
        expected: 'a host no Kubernetes Service has (route to the Service itself, or name the external host)',
      });
    });
    asArray(se.manifest.spec?.ports).forEach((p, j) => {
      if (!protocols || (typeof p?.protocol === 'string' && p.protocol !== '')) return;
      reportProblem(context, MESH_CHECKS.SERVICE_ENTRY_PORT_PROTOCOL, se, {
        field: `spec.ports[${j}].protocol`,
        value: p?.protocol,
        problem: `is not set, so Istio cannot route port ${p?.number} as HTTP (no HTTP routes, retries or metrics)`,
        expected: `one of ${Object.values(ISTIO_PORT_PROTOCOLS).join(', ')}`,
      });
    });
  }
}

function checkWorkloadLabels(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.WORKLOAD_LABELS)) return;
  const { index } = context;
  const reported = new Set<IndexedObject>();
  for (const fqdn of context.routedHosts) {
    const svc = index.service(fqdn);
    const selector = svc?.manifest.spec?.selector ?? {};
    if (svc === undefined || Object.keys(selector).length === 0) continue;
    for (const w of index.selectWorkloads(svc.namespace, selector)) {
      if (reported.has(w.object)) continue;
      const missing = [
        NAME_LABELS.some((l) => w.labels[l] !== undefined) ? undefined : NAME_LABELS,
        VERSION_LABELS.some((l) => w.labels[l] !== undefined) ? undefined : VERSION_LABELS,
      ].filter((m): m is string[] => m !== undefined);
      if (missing.length === 0) continue;
      reported.add(w.object);
      reportProblem(context, MESH_CHECKS.WORKLOAD_LABELS, w.object, {
        field: w.labelsField,
        value: w.labels,
        problem: `lack ${missing.map((m) => `"${m[0]}"`).join(' and ')} on a pod template behind the routed Service ${svc.namespace}/${svc.name}, so Istio telemetry and Kiali cannot tell its ${missing.length === 2 ? 'app and version' : missing[0] === NAME_LABELS ? 'app' : 'version'} apart`,
        expected: `pod labels ${missing.map((m) => m.map((l) => `"${l}"`).join(' or ')).join(', and ')}`,
      });
    }
  }
}
