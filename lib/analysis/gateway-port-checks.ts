import { CheckContext, reportProblem } from './check-context';
import { describeValue, MESH_CHECKS } from './findings';
import { asArray, IndexedObject, IndexedWorkload } from './mesh-index';

/**
 * IST0162 (gateway.IngressGatewayPortAnalyzer): each server port of an Istio Gateway is a `port`
 * or a numeric `targetPort` of a TCP Service that selects the gateway pods. The gateway install
 * usually lives outside the app, so a Gateway is judged only when the analysis holds pods its
 * selector matches and at least one Service selecting them (istioctl, seeing the cluster, would
 * report a missing workload as IST0101 and every port when no Service selects it).
 */
export function runGatewayPortChecks(context: CheckContext): void {
  if (!context.enabled(MESH_CHECKS.GATEWAY_PORT_NOT_ON_SERVICE)) return;
  const { index } = context;
  for (const gw of index.istio('Gateway')) {
    const selector = gw.manifest.spec?.selector;
    if (selector === null || typeof selector !== 'object' || Object.keys(selector).length === 0) continue;
    // A Gateway selects gateway pods in any namespace (unless istiod scopes Gateways to their namespace).
    const pods: IndexedWorkload[] = [];
    for (const namespace of index.namespaces) pods.push(...index.selectWorkloads(namespace, selector));
    if (pods.length === 0) {
      checkDeclaredInstall(context, gw, selector);
      continue;
    }
    const services = [...new Set(pods.flatMap((w) => index.servicesSelecting(w)))];
    if (services.length === 0) continue;
    const accepted = new Set<number>();
    const mappings: string[] = [];
    for (const svc of services) {
      for (const p of asArray(svc.manifest.spec?.ports)) {
        // Kubernetes defaults the protocol to TCP; UDP and SCTP ports cannot carry a Gateway server.
        if (typeof p?.port !== 'number' || (p.protocol !== undefined && p.protocol !== 'TCP')) continue;
        accepted.add(p.port);
        const target = typeof p.targetPort === 'number' ? p.targetPort : Number(p.targetPort);
        if (Number.isInteger(target) && target > 0) {
          accepted.add(target);
          mappings.push(`${p.port}->${target}`);
        } else {
          mappings.push(String(p.port));
        }
      }
    }
    asArray(gw.manifest.spec?.servers).forEach((server, i) => {
      const number = server?.port?.number;
      if (typeof number !== 'number' || accepted.has(number)) return;
      reportProblem(context, MESH_CHECKS.GATEWAY_PORT_NOT_ON_SERVICE, gw, {
        field: `spec.servers[${i}].port.number`,
        value: number,
        problem: `is neither a port nor a targetPort of ${describeServices(services)} (ports ${mappings.join(', ')}), which select${services.length === 1 ? 's' : ''} the gateway pods of ${describePods(pods)} (selector ${describeValue(selector)}), so the gateway listens on a port its Service does not carry`,
        expected: `a port or targetPort of that Service: ${[...accepted].sort((a, b) => a - b).join(', ')} (or add the port to the Service)`,
      });
    });
  }
}

/**
 * The gateway pods are installed apart from the manifests: when a construct declared the install it
 * selects (a library preset such as `IngressGateway.ISTIOCTL`, whose whole Service Istio's install charts
 * define), each server port is checked against that Service as istioctl would check the live one.
 */
function checkDeclaredInstall(context: CheckContext, gw: IndexedObject, selector: Record<string, string>): void {
  const within = (labels: Readonly<Record<string, string>>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);
  const install = (context.gatewayWorkloads ?? []).find((f) => f.servicePorts !== undefined && within(f.selector));
  if (install?.servicePorts === undefined) return;
  const accepted = new Set(install.servicePorts.flatMap((p) => [p.port, p.targetPort]));
  const mappings = install.servicePorts.map((p) =>
    p.port === p.targetPort ? String(p.port) : `${p.port}->${p.targetPort}`,
  );
  asArray(gw.manifest.spec?.servers).forEach((server, i) => {
    const number = server?.port?.number;
    if (typeof number !== 'number' || accepted.has(number)) return;
    reportProblem(context, MESH_CHECKS.GATEWAY_PORT_NOT_ON_SERVICE, gw, {
      field: `spec.servers[${i}].port.number`,
      value: number,
      problem: `is neither a port nor a targetPort of the Service of the gateway ${install.gateway} describes (ports ${mappings.join(', ')}, in namespace ${install.namespace}), which ${install.kind} ${install.path} selects with ${describeValue(selector)}, so the gateway listens on a port its Service does not carry and clients cannot reach it`,
      expected: `a port or targetPort of that Service: ${[...accepted].sort((a, b) => a - b).join(', ')} (or, if your install's Service carries this port, describe it with IngressGateway.custom({...}), whose other ports are not checked)`,
    });
  });
}

function describeServices(services: readonly IndexedObject[]): string {
  return `Service${services.length === 1 ? '' : 's'} ${services.map((s) => `${s.namespace}/${s.name}`).join(', ')}`;
}

function describePods(pods: readonly IndexedWorkload[]): string {
  return pods.map((w) => `${w.object.kind} ${w.object.namespace}/${w.object.name}`).join(', ');
}
