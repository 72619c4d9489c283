import type * as Dagre from '@dagrejs/dagre';

import { notesText, Scene, SceneEdge, SceneNode, sceneOf, SceneRow, SceneStyle } from './_scene';
import { TopologyModel } from './topology-model';

/** Options of {@link renderTopologySvg}. */
export interface TopologySvgOptions {
  /**
   * The heading drawn above the picture, e.g. the folder or file it shows.
   * @default 'Mesh topology'
   */
  readonly title?: string;
}

// Monospace text, so widths are known without a font engine: 0.6 em per character.
const FONT = "'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace";
const TITLE_PX = 12;
const TEXT_PX = 11;
const DETAIL_PX = 10;
const CHAR_EM = 0.6;
const PAD = 8;
const TITLE_H = 18;
const LINE_H = 14;
const DETAIL_H = 13;
const ROW_GAP = 6;
/** Longer lines are wrapped; a single word longer than this is cut (its whole text stays in the tooltip). */
const MAX_CHARS = 76;
const MARGIN = 20;

const FILL: Record<SceneStyle, string> = {
  mesh: '#e3f2fd',
  gateway: '#e3f2fd',
  waypoint: '#e0f7fa',
  route: '#f3e5f5',
  service: '#e8f5e9',
  'service-entry': '#fff8e1',
  unknown: '#ffebee',
  workload: '#eceff1',
  group: '#fafafa',
};
const STROKE = { error: '#c62828', warning: '#e65100', normal: '#607d8b' };

interface Box {
  readonly node: SceneNode;
  readonly width: number;
  readonly height: number;
  /** Vertical centre of each row, from the box's top. */
  readonly rowCentres: ReadonlyMap<string, number>;
  x: number;
  y: number;
}

/**
 * The topology as one self-contained SVG document (no scripts, fonts or links to fetch): entry
 * points on the left, then route tables with their rules in match order, the services and
 * versions they send to with each destination's share on the arrow, and the workloads on the
 * right. Findings of the mesh analysis are marked in colour on the parts they concern and listed,
 * numbered, under the picture. Laid out with dagre.
 */
export function renderTopologySvg(model: TopologyModel, options: TopologySvgOptions = {}): string {
  const scene = wrapScene(sceneOf(model));
  const boxes = new Map(scene.nodes.map((n) => [n.id, measure(n)]));
  layout(scene, boxes);

  const title = options.title ?? 'Mesh topology';
  const legend =
    "arrows: a rule's share of requests (dashed: mirror) · red: error · orange: warning · [n]: finding n below";
  let width = 0;
  let height = 0;
  for (const b of boxes.values()) {
    width = Math.max(width, b.x + b.width / 2);
    height = Math.max(height, b.y + b.height / 2);
  }
  const top = MARGIN + 40;
  width = Math.max(width + 2 * MARGIN, textWidth(legend, DETAIL_PX) + 2 * MARGIN, 480);
  const noteChars = Math.max(60, Math.floor((width - 2 * MARGIN) / (DETAIL_PX * CHAR_EM)));
  const noteLines = scene.notes.flatMap((n) => {
    // An acknowledged finding is listed in grey, with its reason.
    const acknowledged = n.acknowledged !== undefined;
    const entry = `[${n.n}] ${acknowledged ? `acknowledged ${n.severity}` : n.severity} ${n.code}: ${n.message}${acknowledged ? ` (acknowledged: ${n.acknowledged})` : ''}`;
    return wrap(entry, noteChars).map((line, i) => ({
      line,
      severity: acknowledged ? ('acknowledged' as const) : n.severity,
      first: i === 0,
    }));
  });
  const notesTop = top + height + MARGIN;
  const totalHeight = notesTop + (noteLines.length > 0 ? 20 + noteLines.length * DETAIL_H : 0) + MARGIN;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(totalHeight)}" viewBox="0 0 ${px(width)} ${px(totalHeight)}" font-family="${esc(FONT)}">`,
    `<title>${esc(title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#546e7a"/></marker>' +
      `<marker id="arrow-error" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${STROKE.error}"/></marker>` +
      `<marker id="arrow-warning" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${STROKE.warning}"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 12}" font-size="14" font-weight="bold" fill="#263238">${esc(title)}</text>`,
    `<text x="${MARGIN}" y="${MARGIN + 28}" font-size="${DETAIL_PX}" fill="#546e7a">${esc(legend)}</text>`,
    `<g transform="translate(0,${px(top)})">`,
  );
  const labels: string[] = [];
  for (const e of scene.edges) {
    const drawn = drawEdge(e, boxes);
    if (drawn === undefined) continue;
    out.push(drawn.path);
    if (drawn.label !== undefined) labels.push(drawn.label);
  }
  for (const b of boxes.values()) out.push(drawBox(b));
  // Labels last, so no box or arrow covers them.
  out.push(...labels, '</g>');
  if (noteLines.length > 0) {
    out.push(
      `<text x="${MARGIN}" y="${px(notesTop + 12)}" font-size="${TEXT_PX}" font-weight="bold" fill="#263238">Findings of the mesh analysis</text>`,
    );
    noteLines.forEach((l, i) => {
      const color = l.severity === 'acknowledged' ? '#78909c' : l.severity === 'error' ? STROKE.error : STROKE.warning;
      out.push(
        `<text x="${MARGIN}" y="${px(notesTop + 28 + i * DETAIL_H)}" font-size="${DETAIL_PX}" fill="${l.first ? color : '#37474f'}" xml:space="preserve">${esc(l.line)}</text>`,
      );
    });
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Lines longer than MAX_CHARS broken into several, so every host, subset and policy is shown whole. */
function wrapScene(scene: Scene): Scene {
  const lines = (ls: readonly string[]) => ls.flatMap((l) => wrap(l, MAX_CHARS));
  return {
    ...scene,
    nodes: scene.nodes.map((n) => ({
      ...n,
      subtitle: lines(n.subtitle),
      rows: n.rows.map((r) => ({ ...r, lines: lines(r.lines), details: lines(r.details) })),
    })),
  };
}

function measure(node: SceneNode): Box {
  let chars = Math.max(cut(node.title).length * (TITLE_PX / TEXT_PX), ...node.subtitle.map((l) => cut(l).length));
  let h = PAD + TITLE_H + node.subtitle.length * LINE_H;
  const rowCentres = new Map<string, number>();
  if (node.rows.length > 0) h += 4;
  for (const row of node.rows) {
    const notes = notesText(row.notes);
    chars = Math.max(
      chars,
      ...row.lines.map((l, i) => cut(l).length + (i === 0 ? notes.length : 0) + 2),
      ...row.details.map((d) => (cut(d).length + 4) * (DETAIL_PX / TEXT_PX)),
    );
    const rowH = row.lines.length * LINE_H + row.details.length * DETAIL_H + ROW_GAP;
    rowCentres.set(row.id, h + rowH / 2);
    h += rowH;
  }
  const titleNotes = notesText(node.notes).length;
  const width = Math.ceil((chars + titleNotes) * TEXT_PX * CHAR_EM + 2 * PAD + 8);
  return { node, width: Math.max(width, 120), height: h + PAD, rowCentres, x: 0, y: 0 };
}

/** Positions the boxes: one rank per column, dagre ordering boxes within a column to cut crossings. */
function layout(scene: Scene, boxes: Map<string, Box>): void {
  // Loaded when a picture is drawn, not with the library: a synth without pictures does not pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dagre: typeof Dagre = require('@dagrejs/dagre');
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 70, marginx: MARGIN, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const b of boxes.values()) g.setNode(b.node.id, { width: b.width, height: b.height });
  const hasIn = new Set<string>();
  for (const e of scene.edges) {
    if (!boxes.has(e.from) || !boxes.has(e.to) || e.from === e.to) continue;
    g.setEdge(e.from, e.to, { weight: 1, minlen: 1 });
    hasIn.add(e.to);
  }
  // A box with nothing pointing at it would fall into the first column: hidden anchors hold
  // each column's rank (column c hangs off anchor c-1).
  const anchors = ['_anchor0', '_anchor1', '_anchor2'];
  for (const a of anchors) g.setNode(a, { width: 0, height: 0 });
  g.setEdge(anchors[0], anchors[1], { weight: 0, minlen: 1 });
  g.setEdge(anchors[1], anchors[2], { weight: 0, minlen: 1 });
  for (const b of boxes.values()) {
    const c = b.node.column;
    if (c > 0 && !hasIn.has(b.node.id)) g.setEdge(anchors[c - 1], b.node.id, { weight: 0, minlen: 1 });
  }
  dagre.layout(g);
  for (const b of boxes.values()) {
    const n = g.node(b.node.id);
    b.x = n.x;
    b.y = n.y;
  }
  // dagre centres each rank on its widest box: align every column's boxes on the left instead.
  const left = new Map<number, number>();
  for (const b of boxes.values()) left.set(b.x, Math.min(left.get(b.x) ?? Infinity, b.x - b.width / 2));
  for (const b of boxes.values()) b.x = left.get(b.x)! + b.width / 2;
  const minTop = Math.min(...[...boxes.values()].map((b) => b.y - b.height / 2));
  for (const b of boxes.values()) b.y -= minTop;
}

function drawBox(b: Box): string {
  const n = b.node;
  const x0 = b.x - b.width / 2;
  const y0 = b.y - b.height / 2;
  const stroke = n.severity !== undefined ? STROKE[n.severity] : STROKE.normal;
  const dashed = n.style === 'unknown' || n.style === 'group' ? ' stroke-dasharray="5 3"' : '';
  const out: string[] = [
    `<g class="node ${n.style}"><title>${esc([n.title, ...n.subtitle].join('\n'))}</title>`,
    `<rect x="${px(x0)}" y="${px(y0)}" width="${px(b.width)}" height="${px(b.height)}" rx="6" fill="${FILL[n.style]}" stroke="${stroke}" stroke-width="${n.severity ? 2 : 1}"${dashed}/>`,
    text(
      x0 + PAD,
      y0 + PAD + 12,
      `${cut(n.title)}${notesText(n.notes)}`,
      TITLE_PX,
      n.severity ? STROKE[n.severity] : '#263238',
      true,
    ),
  ];
  let y = y0 + PAD + TITLE_H;
  for (const line of n.subtitle) {
    out.push(text(x0 + PAD, y + 10, cut(line), TEXT_PX, '#455a64'));
    y += LINE_H;
  }
  if (n.rows.length > 0) y += 4;
  for (const row of n.rows) y = drawRow(out, row, x0, y, b.width);
  out.push('</g>');
  return out.join('');
}

function drawRow(out: string[], row: SceneRow, x0: number, y: number, width: number): number {
  const h = row.lines.length * LINE_H + row.details.length * DETAIL_H + ROW_GAP;
  const color = row.severity !== undefined ? STROKE[row.severity] : '#263238';
  const dashed = row.unresolved ? ' stroke-dasharray="4 2"' : '';
  out.push(
    `<rect x="${px(x0 + 3)}" y="${px(y)}" width="${px(width - 6)}" height="${px(h - 2)}" rx="3" fill="#ffffff" fill-opacity="0.7" stroke="${row.severity ? color : '#cfd8dc'}"${dashed}/>`,
  );
  let ty = y + 11;
  row.lines.forEach((line, i) => {
    out.push(text(x0 + PAD, ty, `${cut(line)}${i === 0 ? notesText(row.notes) : ''}`, TEXT_PX, color));
    ty += LINE_H;
  });
  for (const d of row.details) {
    out.push(text(x0 + PAD + 12, ty - 1, cut(d), DETAIL_PX, row.unresolved ? STROKE.error : '#607d8b'));
    ty += DETAIL_H;
  }
  return y + h;
}

function drawEdge(e: SceneEdge, boxes: Map<string, Box>): { path: string; label?: string } | undefined {
  const a = boxes.get(e.from);
  const b = boxes.get(e.to);
  if (a === undefined || b === undefined) return undefined;
  const x1 = a.x + a.width / 2;
  const y1 =
    a.y - a.height / 2 + (e.fromRow !== undefined ? (a.rowCentres.get(e.fromRow) ?? a.height / 2) : a.height / 2);
  const x2 = b.x - b.width / 2;
  const y2 =
    b.y -
    b.height / 2 +
    (e.toRow !== undefined ? (b.rowCentres.get(e.toRow) ?? b.height / 2) : Math.min(b.height / 2, 14));
  const dx = Math.max(30, (x2 - x1) / 2);
  const color = e.severity !== undefined ? STROKE[e.severity] : '#546e7a';
  const marker = e.severity !== undefined ? `arrow-${e.severity}` : 'arrow';
  const path = `<path d="M${px(x1)},${px(y1)} C${px(x1 + dx)},${px(y1)} ${px(x2 - dx)},${px(y2)} ${px(x2)},${px(y2)}" fill="none" stroke="${color}" stroke-width="${e.severity ? 1.8 : 1.2}"${e.dashed ? ' stroke-dasharray="5 3"' : ''} marker-end="url(#${marker})"/>`;
  if (e.label === undefined) return { path };
  // The label sits towards the arrow's end: arrows from one rule start at one point, but end apart.
  const t = 0.7;
  const lx = bezier(x1, x1 + dx, x2 - dx, x2, t);
  const ly = bezier(y1, y1, y2, y2, t);
  const label = cut(e.label);
  const w = textWidth(label, DETAIL_PX) + 6;
  return {
    path,
    label:
      `<rect x="${px(lx - w / 2)}" y="${px(ly - 7)}" width="${px(w)}" height="13" rx="3" fill="#ffffff" stroke="${color}" stroke-width="0.6"/>` +
      text(lx - w / 2 + 3, ly + 3, label, DETAIL_PX, color),
  };
}

function bezier(p0: number, p1: number, p2: number, p3: number, t: number): number {
  const u = 1 - t;
  return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3;
}

function text(x: number, y: number, s: string, size: number, fill: string, bold = false): string {
  return `<text x="${px(x)}" y="${px(y)}" font-size="${size}"${bold ? ' font-weight="bold"' : ''} fill="${fill}" xml:space="preserve">${esc(s)}</text>`;
}

function cut(s: string): string {
  return s.length > MAX_CHARS ? `${s.slice(0, MAX_CHARS - 1)}…` : s;
}

function textWidth(s: string, size: number): number {
  return s.length * size * CHAR_EM;
}

function wrap(s: string, width: number): string[] {
  if (s.length <= width) return [s];
  const words = s.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line === '') line = w;
    else if (line.length + 1 + w.length > width) {
      lines.push(line);
      line = `    ${w}`;
    } else line = `${line} ${w}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** XML text and attribute escaping; characters XML 1.0 forbids are dropped. */
function esc(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- these are exactly the characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}
