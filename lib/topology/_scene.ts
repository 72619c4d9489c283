/**
 * The picture before it is drawn: boxes (with rows) in four columns, and the arrows between
 * them. Both renderers (SVG, Mermaid) draw the same scene, so the two pictures always agree.
 *
 * Columns: 0 entry points (ingress gateways, waypoints, the mesh), 1 route tables with their
 * rules in match order, 2 services with the versions routes send to, 3 the workloads behind them.
 */
import { Severity } from '../analysis/findings';
import { TopologyIssue, TopologyModel, TopologyTarget } from './topology-model';

/** One row of a box: a rule, a listener, a subset. Arrows leave and reach rows. */
export interface SceneRow {
  readonly id: string;
  /** The row's main text, one line each. */
  readonly lines: readonly string[];
  /** Secondary lines (actions, labels), drawn smaller. */
  readonly details: readonly string[];
  /** The worst severity of its findings. */
  readonly severity?: 'error' | 'warning';
  /** Numbers of the findings on it ({@link Scene.notes}). */
  readonly notes: readonly number[];
  /** Drawn as missing (an undefined subset). */
  readonly unresolved?: boolean;
}

export type SceneStyle =
  'mesh' | 'gateway' | 'waypoint' | 'route' | 'service' | 'service-entry' | 'unknown' | 'workload' | 'group';

/** A box. */
export interface SceneNode {
  readonly id: string;
  readonly column: 0 | 1 | 2 | 3;
  readonly style: SceneStyle;
  /** e.g. `Gateway istio-system/bookinfo-gateway`. */
  readonly title: string;
  /** Lines under the title (hosts, selector, waypoint, policies). */
  readonly subtitle: readonly string[];
  readonly rows: readonly SceneRow[];
  readonly severity?: 'error' | 'warning';
  readonly notes: readonly number[];
}

/** An arrow from a box (or one of its rows) to another. */
export interface SceneEdge {
  readonly from: string;
  readonly fromRow?: string;
  readonly to: string;
  readonly toRow?: string;
  /** e.g. `80%`, `mirror 50%`, a host. */
  readonly label?: string;
  readonly dashed?: boolean;
  readonly severity?: 'error' | 'warning';
}

/** A finding, numbered as the picture refers to it. */
export interface SceneNote {
  readonly n: number;
  readonly severity: 'error' | 'warning';
  /** The reason, for an acknowledged finding (listed, not marked). */
  readonly acknowledged?: string;
  readonly code: string;
  readonly message: string;
}

export interface Scene {
  readonly nodes: readonly SceneNode[];
  readonly edges: readonly SceneEdge[];
  readonly notes: readonly SceneNote[];
}

/** Builds the scene of a model. */
export function sceneOf(model: TopologyModel): Scene {
  const notes: SceneNote[] = [];
  const noteIndex = new Map<string, number>();
  const number = (issues: readonly TopologyIssue[]): number[] =>
    issues.map((i) => {
      const key = `${i.code}\u0000${i.message}`;
      let n = noteIndex.get(key);
      if (n === undefined) {
        n = notes.length + 1;
        noteIndex.set(key, n);
        notes.push({
          n,
          severity: i.severity === Severity.ERROR ? 'error' : 'warning',
          code: i.code,
          message: i.message,
          ...(i.acknowledged !== undefined ? { acknowledged: i.acknowledged } : {}),
        });
      }
      return n;
    });

  // Numbered in the analysis's order (errors first), including findings the picture has no place
  // for (on Deployments, clients, ...), which are listed too.
  number(model.issues);
  const nodes: SceneNode[] = [];
  const edges: SceneEdge[] = [];
  const drawnTargets = new Set<string>();
  const drawnWorkloads = new Set<string>();
  const entryIds = new Set(model.entries.map((e) => e.id));
  /** Targets some route reaches without a subset: they get an `all pods` row. */
  const wholeTargets = new Set<string>();

  for (const entry of model.entries) {
    const title =
      entry.kind === 'mesh'
        ? 'mesh (in-mesh clients)'
        : entry.kind === 'missing'
          ? `Gateway ${entry.name} (not in these manifests)`
          : `${entry.kind === 'waypoint' ? 'Waypoint' : entry.kind === 'gateway-api' ? 'Gateway (Gateway API)' : 'Gateway'} ${entry.name}`;
    nodes.push({
      id: entry.id,
      column: 0,
      style:
        entry.kind === 'mesh'
          ? 'mesh'
          : entry.kind === 'waypoint'
            ? 'waypoint'
            : entry.kind === 'missing'
              ? 'unknown'
              : 'gateway',
      title,
      subtitle: [
        ...(entry.servedBy !== undefined ? [`on ${entry.servedBy}`] : []),
        ...entry.policies.map((p) => `policy ${p}`),
      ],
      rows: entry.listeners.map((l, i) => ({
        id: `${entry.id}#listener${i}`,
        lines: [`${l.protocol} ${l.port}  ${l.hosts.join(' ')}`],
        details: [
          ...(l.tlsMode !== undefined
            ? [`TLS ${l.tlsMode}${l.credential !== undefined ? ` (cert ${l.credential})` : ''}`]
            : l.protocol.toUpperCase() === 'HTTP'
              ? ['plain HTTP, no TLS']
              : []),
        ],
        notes: [],
      })),
      ...severityAndNotes(entry.issues, number),
    });
  }

  const targetById = new Map(model.targets.map((t) => [t.id, t]));
  for (const table of model.routeTables) {
    nodes.push({
      id: table.id,
      column: 1,
      style: 'route',
      title: `${table.kind} ${table.name}`,
      subtitle: [table.hosts.length === 0 ? 'hosts: any' : `hosts: ${table.hosts.join(' ')}`],
      rows: table.rules.map((rule, i) => {
        const matches = rule.matches.length === 0 ? ['any request'] : rule.matches;
        const label = `${i + 1}.${rule.protocol === 'http' ? '' : ` ${rule.protocol.toUpperCase()}`}${rule.name !== undefined ? ` ${rule.name}` : ''}`;
        return {
          id: `${table.id}#${rule.field}`,
          lines: matches.map((m, j) => `${j === 0 ? label : ' '.repeat(label.length)} ${j === 0 ? '' : 'or '}${m}`),
          details: rule.actions,
          ...severityAndNotes(rule.issues, number),
        };
      }),
      ...severityAndNotes(table.issues, number),
    });
    // The hosts are in the route table's box: the arrow from its entry points needs no label.
    for (const entryId of table.entryIds) {
      if (entryIds.has(entryId)) edges.push({ from: entryId, to: table.id });
    }
    table.rules.forEach((rule) => {
      const fromRow = `${table.id}#${rule.field}`;
      // Destinations and mirrors draw alike; a mirror is dashed and says so.
      const arrows = [
        ...rule.destinations.map((d) => ({
          d,
          label: `${d.percent}%${d.port !== undefined ? ` :${d.port}` : ''}`,
          mirror: false,
        })),
        ...rule.mirrors.map((d) => ({ d, label: `mirror ${d.percent}%`, mirror: true })),
      ];
      for (const { d, label, mirror } of arrows) {
        const target = targetById.get(d.targetId);
        if (target === undefined) continue;
        drawnTargets.add(target.id);
        if (d.subset === undefined) wholeTargets.add(target.id);
        edges.push({
          from: table.id,
          fromRow,
          to: target.id,
          toRow: rowOfDestination(target, d.subset),
          label: `${label}${notesText(number(d.issues))}`,
          ...(mirror ? { dashed: true } : {}),
          ...worst(d.issues),
        });
      }
    });
  }

  // Routed targets get a box each; the others are listed per namespace in one box, so the
  // addons and clients do not crowd out what is routed.
  const unrouted = new Map<string, string[]>();
  for (const target of model.targets) {
    if (!drawnTargets.has(target.id)) {
      const ns = target.kind === 'unknown' ? '(external)' : target.name.split('/')[0];
      unrouted.set(ns, [
        ...(unrouted.get(ns) ?? []),
        target.kind === 'Service' ? target.name.split('/')[1] : target.host,
      ]);
      continue;
    }
    const rows: SceneRow[] = targetRows(target, wholeTargets.has(target.id), number);
    nodes.push({
      id: target.id,
      column: 2,
      style: target.kind === 'Service' ? 'service' : target.kind === 'ServiceEntry' ? 'service-entry' : 'unknown',
      title: target.kind === 'unknown' ? `unknown host ${target.host}` : `${target.kind} ${target.name}`,
      subtitle: [
        ...(target.kind === 'unknown'
          ? ['declared by no Service or ServiceEntry']
          : [`${target.host}${target.ports.length ? `:${target.ports.join(',')}` : ''}`]),
        ...(target.waypoint !== undefined ? [`through waypoint ${target.waypoint}`] : []),
        ...target.policies.map((p) => `policy ${p}`),
      ],
      rows,
      ...severityAndNotes(target.issues, number),
    });
    for (const row of rows) {
      const subset = target.subsets.find((s) => row.id === `${target.id}#subset:${s.name}`);
      const workloadIds = subset !== undefined ? subset.workloadIds : target.workloadIds;
      for (const w of workloadIds) {
        drawnWorkloads.add(w);
        edges.push({ from: target.id, fromRow: row.id, to: w });
      }
    }
  }
  for (const w of model.workloads) {
    if (!drawnWorkloads.has(w.id)) continue;
    nodes.push({
      id: w.id,
      column: 3,
      style: 'workload',
      title: `${w.kind} ${w.name}`,
      subtitle: [
        ...(w.replicas !== undefined ? [`${w.replicas} replica${w.replicas === 1 ? '' : 's'}`] : []),
        ...(w.labels.version !== undefined ? [`version=${w.labels.version}`] : []),
      ],
      rows: [],
      notes: [],
    });
  }
  for (const [ns, names] of [...unrouted.entries()].sort()) {
    nodes.push({
      id: `unrouted:${ns}`,
      column: 2,
      style: 'group',
      title: `no route rules: ${ns}`,
      subtitle: wrapList(names.sort(), 48),
      rows: [],
      notes: [],
    });
  }
  return { nodes, edges, notes };
}

/** ` [1][3]`: the numbers of a part's findings, as every rendering writes them after its text. */
export function notesText(notes: readonly number[]): string {
  const unique = [...new Set(notes)];
  return unique.length === 0 ? '' : ` ${unique.map((n) => `[${n}]`).join('')}`;
}

function rowOfDestination(target: TopologyTarget, subset: string | undefined): string {
  return subset !== undefined ? `${target.id}#subset:${subset}` : `${target.id}#all`;
}

function targetRows(
  target: TopologyTarget,
  whole: boolean,
  number: (i: readonly TopologyIssue[]) => number[],
): SceneRow[] {
  const rows: SceneRow[] = target.subsets.map((s) => ({
    id: `${target.id}#subset:${s.name}`,
    lines: [s.resolved ? `subset ${s.name}` : `subset ${s.name} (not defined)`],
    details: s.resolved
      ? [
          Object.entries(s.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
          ...(s.workloadIds.length === 0 ? ['no pods'] : []),
        ].filter((x) => x !== '')
      : ['no DestinationRule defines it'],
    unresolved: !s.resolved,
    ...severityAndNotes(s.issues, number),
  }));
  // Routes without a subset reach every pod of the service.
  if (!whole) return rows;
  rows.push({
    id: `${target.id}#all`,
    lines: [target.kind === 'unknown' ? 'host' : target.kind === 'ServiceEntry' ? 'endpoints' : 'all pods'],
    details: target.kind === 'Service' && target.workloadIds.length === 0 ? ['no pods'] : [],
    notes: [],
  });
  return rows;
}

function severityAndNotes(
  issues: readonly TopologyIssue[],
  number: (i: readonly TopologyIssue[]) => number[],
): { severity?: 'error' | 'warning'; notes: number[] } {
  return { ...worst(issues), notes: [...new Set(number(issues))] };
}

function worst(all: readonly TopologyIssue[]): { severity?: 'error' | 'warning' } {
  // An acknowledged finding is accepted: listed under the picture, but the part is not marked.
  const issues = all.filter((i) => i.acknowledged === undefined);
  if (issues.some((i) => i.severity === Severity.ERROR)) return { severity: 'error' };
  if (issues.some((i) => i.severity === Severity.WARNING)) return { severity: 'warning' };
  return {};
}

function wrapList(items: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? item : `${line}, ${item}`;
    if (next.length > width && line !== '') {
      lines.push(`${line},`);
      line = item;
    } else line = next;
  }
  if (line !== '') lines.push(line);
  return lines;
}
