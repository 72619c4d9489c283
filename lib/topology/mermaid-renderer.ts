import { notesText, SceneNode, sceneOf, SceneRow } from './_scene';
import { TopologyModel } from './topology-model';

/** Options of {@link renderTopologyMarkdown}. */
export interface TopologyMarkdownOptions {
  /**
   * The document's heading.
   * @default 'Mesh topology'
   */
  readonly title?: string;
  /**
   * A paragraph under the heading (e.g. how to apply the files the picture shows).
   * @default none
   */
  readonly description?: string;
}

/**
 * The topology as a Mermaid flowchart (`flowchart LR`): entry points, route tables as subgraphs
 * with one node per rule in match order, services as subgraphs with one node per version, and
 * workloads; arrows carry each destination's share of the rule's requests. Parts with findings
 * are classed `error` or `warning` (red, orange) and an undefined subset is drawn dashed.
 */
export function renderTopologyMermaid(model: TopologyModel): string {
  const scene = sceneOf(model);
  const ids = new Map<string, string>();
  const id = (key: string): string => {
    let v = ids.get(key);
    if (v === undefined) {
      v = `n${ids.size + 1}`;
      ids.set(key, v);
    }
    return v;
  };
  const lines: string[] = ['flowchart LR'];
  const classes = { error: [] as string[], warning: [] as string[], unresolved: [] as string[] };
  const mark = (mermaidId: string, item: { severity?: 'error' | 'warning'; unresolved?: boolean }) => {
    if (item.severity !== undefined) classes[item.severity].push(mermaidId);
    if (item.unresolved) classes.unresolved.push(mermaidId);
  };

  for (const node of scene.nodes) {
    if (node.rows.length === 0) {
      lines.push(`  ${id(node.id)}${shape(node, label([titleOf(node), ...node.subtitle]))}`);
      mark(id(node.id), node);
      continue;
    }
    // A box with rows is a subgraph of one node per row, so arrows can start and end at a rule or subset.
    lines.push(`  subgraph ${id(node.id)}[${label([titleOf(node), ...node.subtitle])}]`);
    lines.push('    direction TB');
    for (const row of node.rows) {
      lines.push(`    ${id(row.id)}[${label(rowText(row))}]`);
      mark(id(row.id), row);
    }
    lines.push('  end');
    mark(id(node.id), node);
  }
  for (const e of scene.edges) {
    const from = id(e.fromRow ?? e.from);
    const to = id(e.toRow ?? e.to);
    const arrow = e.dashed ? '-.->' : '-->';
    lines.push(`  ${from} ${arrow}${e.label !== undefined ? `|${label([e.label])}|` : ''} ${to}`);
  }
  lines.push(
    '  classDef error stroke:#c62828,stroke-width:2px,color:#c62828',
    '  classDef warning stroke:#e65100,stroke-width:2px',
    '  classDef unresolved stroke-dasharray:5 3,fill:#ffebee',
  );
  for (const [cls, members] of Object.entries(classes)) {
    if (members.length > 0) lines.push(`  class ${[...new Set(members)].join(',')} ${cls}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A Markdown document with the Mermaid flowchart of {@link renderTopologyMermaid} (GitHub renders
 * it, e.g. in pull requests) and the findings of the mesh analysis listed under it.
 */
export function renderTopologyMarkdown(model: TopologyModel, options: TopologyMarkdownOptions = {}): string {
  const scene = sceneOf(model);
  const out = [`# ${options.title ?? 'Mesh topology'}`, ''];
  if (options.description !== undefined) out.push(options.description, '');
  out.push('```mermaid', renderTopologyMermaid(model).trimEnd(), '```', '');
  if (scene.notes.length > 0) {
    out.push('Findings of the mesh analysis (numbered as in the picture):', '');
    for (const n of scene.notes) {
      const what = n.acknowledged !== undefined ? `acknowledged ${n.severity}` : n.severity;
      const why = n.acknowledged !== undefined ? ` (acknowledged: ${n.acknowledged})` : '';
      out.push(`${n.n}. **${what}** \`${n.code}\`: ${n.message.replace(/\n/g, ' ')}${why}`);
    }
    out.push('');
  }
  return out.join('\n');
}

function titleOf(node: SceneNode): string {
  return `${node.title}${notesText(node.notes)}`;
}

function rowText(row: SceneRow): string[] {
  const notes = notesText(row.notes);
  return [...row.lines.map((l, i) => (i === 0 ? `${l.trim()}${notes}` : l.trim())), ...row.details];
}

function shape(node: SceneNode, text: string): string {
  // The mesh is no object: a stadium shape, apart from the boxes of objects.
  return node.style === 'mesh' ? `([${text}])` : `[${text}]`;
}

/** A quoted Mermaid label: lines joined by <br/>, characters Mermaid reads as syntax written as entity codes. */
function label(lines: readonly string[]): string {
  const body = lines
    .map((l) =>
      l
        .replace(/&/g, '#amp;')
        .replace(/#(?!amp;)/g, '#35;')
        .replace(/"/g, '#quot;')
        .replace(/</g, '#lt;')
        .replace(/>/g, '#gt;')
        .replace(/\|/g, '#124;')
        .replace(/`/g, '#96;'),
    )
    .join('<br/>');
  return `"${body}"`;
}
