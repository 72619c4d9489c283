import { CheckContext, reportProblem } from './check-context';
import { MESH_CHECKS } from './findings';
import { inSidecarMesh } from './injection-checks';
import { asArray, DeclaredContainerPort, IndexedObject, IndexedWorkload } from './mesh-index';

const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'istio-system']);
/** Kinds whose pods run to completion: nothing calls them, so they need no Service. */
const RUN_TO_COMPLETION = new Set(['Job', 'CronJob']);

/**
 * How Services meet the pods they select: one port number with two protocols (IST0116), one
 * targetPort behind two port numbers (IST0137), targetPorts no container declares (KIA0701), and
 * serving pods no Service selects (IST0117, retired in Istio 1.20).
 */
export function runServicePortChecks(context: CheckContext): void {
  const protocols = context.enabled(MESH_CHECKS.SERVICE_PORT_PROTOCOLS);
  const targetPorts = context.enabled(MESH_CHECKS.SERVICE_TARGET_PORT_CONFLICT);
  const noService = context.enabled(MESH_CHECKS.WORKLOAD_NO_SERVICE);
  const { index } = context;
  if (protocols || targetPorts || noService) {
    for (const namespace of index.namespaces) {
      for (const w of index.workloadsIn(namespace)) {
        if (!inSidecarMesh(index, w)) continue;
        const services = index.servicesSelecting(w);
        if (noService && services.length === 0) checkNoService(context, w);
        if (services.length === 0) continue;
        if (protocols) checkProtocols(context, w, services);
        if (targetPorts) checkTargetPorts(context, w, services);
      }
    }
  }
  if (context.enabled(MESH_CHECKS.SERVICE_TARGET_PORT_UNDECLARED)) checkUndeclaredTargetPorts(context);
}

/** `name (port/protocol)` of a Service port, for messages. */
function describePort(svc: IndexedObject, p: any, protocol: string): string {
  return `${svc.namespace}/${svc.name} (${p.port}/${protocol})`;
}

function checkProtocols(context: CheckContext, w: IndexedWorkload, services: readonly IndexedObject[]): void {
  /** port number → protocol → "Service (port/protocol)" entries. */
  const byPort = new Map<number, Map<string, string[]>>();
  for (const svc of services) {
    for (const p of asArray(svc.manifest.spec?.ports)) {
      if (typeof p?.port !== 'number') continue;
      // Kubernetes defaults the protocol to TCP.
      const protocol = typeof p.protocol === 'string' && p.protocol !== '' ? p.protocol : 'TCP';
      let protocolMap = byPort.get(p.port);
      if (!protocolMap) byPort.set(p.port, (protocolMap = new Map()));
      const list = protocolMap.get(protocol) ?? [];
      list.push(describePort(svc, p, protocol));
      protocolMap.set(protocol, list);
    }
  }
  for (const [port, protocolMap] of byPort) {
    if (protocolMap.size < 2) continue;
    const users = [...protocolMap.values()].flat().sort();
    reportProblem(context, MESH_CHECKS.SERVICE_PORT_PROTOCOLS, w.object, {
      field: w.labelsField,
      value: w.labels,
      problem: `are selected by Services ${users.join(', ')}, which use port ${port} with different protocols (${[...protocolMap.keys()].join(', ')}); Istio keeps one protocol per port of a workload, so one of them breaks`,
      expected: `one protocol per port number across the Services that select these pods (give the ${[...protocolMap.keys()][1]} Service another port)`,
    });
  }
}

/**
 * The targetPort a Service port reaches, as a key: its number, where a name resolves through the
 * pod's declared ports (istioctl compares names as written, and so misses `http` vs `9080`).
 */
function targetKey(p: any, declared: readonly DeclaredContainerPort[]): string {
  const target = p.targetPort;
  if (target === undefined || target === null || target === 0 || target === '') return String(p.port);
  if (typeof target === 'string') {
    const named = declared.find((d) => d.name === target && typeof d.containerPort === 'number');
    return named ? String(named.containerPort) : target;
  }
  return String(target);
}

function checkTargetPorts(context: CheckContext, w: IndexedWorkload, services: readonly IndexedObject[]): void {
  const declared = context.index.containerPortsOf(w);
  /** targetPort → port number → "Service port N" entries. */
  const byTarget = new Map<string, Map<number, string[]>>();
  for (const svc of services) {
    for (const p of asArray(svc.manifest.spec?.ports)) {
      if (typeof p?.port !== 'number') continue;
      const key = targetKey(p, declared);
      let ports = byTarget.get(key);
      if (!ports) byTarget.set(key, (ports = new Map()));
      const list = ports.get(p.port) ?? [];
      list.push(`${svc.namespace}/${svc.name} (port ${p.port})`);
      ports.set(p.port, list);
    }
  }
  for (const [target, ports] of byTarget) {
    if (ports.size < 2) continue;
    const users = [...ports.values()].flat().sort();
    reportProblem(context, MESH_CHECKS.SERVICE_TARGET_PORT_CONFLICT, w.object, {
      field: w.labelsField,
      value: w.labels,
      problem: `are selected by Services ${users.join(', ')}, which send targetPort ${target} through different port numbers (${[...ports.keys()].sort((a, b) => a - b).join(', ')}); Istio's inbound configuration for that container port then depends on which Service it takes`,
      expected: `one port number per targetPort across the Services that select these pods (e.g. port ${[...ports.keys()][0]} in every Service reaching targetPort ${target})`,
    });
  }
}

function checkNoService(context: CheckContext, w: IndexedWorkload): void {
  if (RUN_TO_COMPLETION.has(w.object.kind) || w.object.kind === 'Pod') return;
  if (SYSTEM_NAMESPACES.has(w.object.namespace) || w.object.namespace === context.rootNamespace) return;
  const declared = context.index.containerPortsOf(w).filter((d) => typeof d.containerPort === 'number');
  if (declared.length === 0) return; // a client (or a job) serves nothing
  reportProblem(context, MESH_CHECKS.WORKLOAD_NO_SERVICE, w.object, {
    field: w.labelsField,
    value: w.labels,
    problem: `are selected by no Service of namespace ${w.object.namespace}, though the pods serve container ports ${declared.map((d) => d.containerPort).join(', ')}: nothing in the mesh reaches them by name, and Istio routes, subsets and telemetry cannot apply to them`,
    expected: 'a Service whose selector matches these labels (or no containerPorts, for a client)',
  });
}

/**
 * Kiali's KIA0701 for named targetPorts: Kubernetes resolves a name through the container ports of
 * each selected pod, and a pod without a port of that name gets no endpoint for it. Kiali also warns
 * for numbers no container declares; Kubernetes and Istio route those all the same (containerPort is
 * informational), so they are not judged. Pod templates without a pod spec (as the analysis stands
 * in for declared services) are not judged; control-plane namespaces, gateway and waypoint Services
 * are skipped, as Kiali skips them.
 */
function checkUndeclaredTargetPorts(context: CheckContext): void {
  const { index } = context;
  for (const svc of index.ofKind('', 'Service')) {
    if (SYSTEM_NAMESPACES.has(svc.namespace) || svc.namespace === context.rootNamespace) continue;
    if (isGatewayService(svc.manifest.metadata?.labels ?? {})) continue;
    const selector = svc.manifest.spec?.selector;
    if (selector === null || typeof selector !== 'object') continue;
    const workloads = index.selectWorkloads(svc.namespace, selector).filter((w) => index.hasPodSpec(w));
    if (workloads.length === 0) continue;
    asArray(svc.manifest.spec?.ports).forEach((p, j) => {
      const target = p?.targetPort;
      if (typeof target !== 'string' || target === '' || /^\d+$/.test(target)) return;
      const missing = workloads.filter((w) => !index.containerPortsOf(w).some((d) => d.name === target));
      if (missing.length === 0) return;
      const names = [
        ...new Set(
          index
            .containerPortsOf(missing[0])
            .map((d) => d.name)
            .filter((n) => n),
        ),
      ];
      reportProblem(context, MESH_CHECKS.SERVICE_TARGET_PORT_UNDECLARED, svc, {
        field: `spec.ports[${j}].targetPort`,
        value: target,
        problem: `names no container port of ${missing.map((w) => `${w.object.kind} ${w.object.namespace}/${w.object.name}`).join(', ')}, which the Service selects, so Kubernetes gives those pods no endpoint for port ${p?.port}`,
        expected: `the name of a container port of those pods (${missing[0].object.name} names ${names.length > 0 ? names.map((n) => `"${n}"`).join(', ') : 'none'}), or the container port number`,
      });
    });
  }
}

/** Kiali's gateway and waypoint labels (istioctl installs, Helm charts, gateway injection, Gateway API). */
function isGatewayService(labels: Record<string, string>): boolean {
  return (
    labels['gateway.istio.io/managed'] === 'istio.io-mesh-controller' ||
    labels['gateway.networking.k8s.io/gateway-name'] !== undefined ||
    ['IngressGateways', 'EgressGateways'].includes(labels['operator.istio.io/component']) ||
    ['ingressgateway', 'egressgateway'].includes(labels.istio)
  );
}
