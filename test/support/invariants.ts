/** Cross-object invariants that any synthesized Kubernetes manifest set must keep. */
type Json = Record<string, any>;

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** Violations of: selectors select templates, Service target ports exist, names are unique. */
export function invariantViolations(objects: Json[]): string[] {
  const errors: string[] = [];
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  const ns = (o: Json) => o.metadata?.namespace ?? 'default';

  const seen = new Set<string>();
  for (const o of objects) {
    const key = `${o.apiVersion.split('/')[0]}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    if (seen.has(key)) errors.push(`duplicate object ${key}`);
    seen.add(key);
  }

  for (const w of workloads) {
    const selector = w.spec.selector?.matchLabels ?? {};
    if (!matches(selector, w.spec.template.metadata?.labels)) {
      errors.push(
        `${w.kind} ${w.metadata.name}: selector ${JSON.stringify(selector)} does not match its template labels`,
      );
    }
  }

  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const selector = svc.spec.selector;
    if (!selector) continue;
    const selected = workloads.filter((w) => ns(w) === ns(svc) && matches(selector, w.spec.template.metadata?.labels));
    if (selected.length === 0) {
      errors.push(
        `Service ${ns(svc)}/${svc.metadata.name}: selector ${JSON.stringify(selector)} selects no pod template`,
      );
      continue;
    }
    for (const port of svc.spec.ports ?? []) {
      const target = port.targetPort ?? port.port;
      for (const w of selected) {
        const containerPorts = (w.spec.template.spec.containers ?? []).flatMap((c: Json) => c.ports ?? []);
        // Kubernetes forwards a numeric targetPort whether or not a container declares it; a pod that
        // declares no ports at all (Istio 1.30's Jaeger) is fine. One that declares some but not this one
        // most likely has a typo. A named targetPort must always resolve.
        if (typeof target === 'number' && containerPorts.length === 0) continue;
        const found = containerPorts.some((p: Json) =>
          typeof target === 'number' ? p.containerPort === target : p.name === target,
        );
        if (!found)
          errors.push(
            `Service ${ns(svc)}/${svc.metadata.name}: port ${port.name ?? port.port} targets ${target}, which ${w.kind} ${w.metadata.name} does not expose`,
          );
      }
    }
  }

  for (const w of workloads) {
    const spec = w.spec.template.spec;
    // A StatefulSet's claim templates are volumes of its pods too.
    const volumes = new Set(
      [...(spec.volumes ?? []), ...(w.spec.volumeClaimTemplates ?? []).map((t: Json) => t.metadata)].map(
        (v: Json) => v.name,
      ),
    );
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const m of c.volumeMounts ?? []) {
        if (!volumes.has(m.name))
          errors.push(`${w.kind} ${w.metadata.name}: container ${c.name} mounts undeclared volume ${m.name}`);
      }
    }
  }
  return errors;
}
