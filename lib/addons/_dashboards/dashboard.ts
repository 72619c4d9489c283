/**
 * A small typed builder for Grafana dashboards that Grafana 9.0 loads without migration:
 * schemaVersion 36 and only the panel types it renders natively (timeseries, stat, table,
 * text, row). Panels are laid out automatically on Grafana's 24-column grid, left to right,
 * wrapping to a new line when a panel does not fit; ids are assigned in order.
 */

/** The dashboard JSON schema version Grafana 9.0 writes; Grafana migrates anything older on load. */
export const DASHBOARD_SCHEMA_VERSION = 36;

/** Width of Grafana's dashboard grid, in columns. */
export const GRID_COLUMNS = 24;

/** Name of the datasource template variable every panel queries through. */
export const DATASOURCE_VARIABLE = 'datasource';

/** The Prometheus datasource reference used by panels and query variables. */
const PROMETHEUS = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` } as const;

/** A Grafana field unit id, e.g. `reqps`, `percentunit`, `ms`, `Bps`, `bytes`, `short`. */
export type GrafanaUnit =
  'reqps' | 'ops' | 'cps' | 'qps' | 'percentunit' | 'ms' | 's' | 'Bps' | 'bytes' | 'short' | 'none' | 'cores';

/** One PromQL query of a panel. */
export interface PromQuery {
  /** The PromQL expression; may use template variables (`$namespace`) and `$__rate_interval`. */
  readonly expr: string;
  /**
   * Series name shown in the legend, with `{{label}}` placeholders.
   * @default Prometheus' series name
   */
  readonly legend?: string;
}

/** A dashboard template variable. */
export type TemplateVariable = QueryVariable | CustomVariable;

/** A variable whose values come from a Prometheus query (`label_values(...)` or `query_result(...)`). */
export interface QueryVariable {
  readonly kind: 'query';
  /** Name used in expressions as `$name`. */
  readonly name: string;
  /** Label shown above the drop-down. */
  readonly label: string;
  /** The variable query, e.g. `label_values(istio_requests_total, destination_service)`. */
  readonly query: string;
  /**
   * Regex applied to the query results; the first capture group becomes the value.
   * @default no filtering
   */
  readonly regex?: string;
  /**
   * Allows several values and an "All" option whose value is `.*`.
   * @default false
   */
  readonly multi?: boolean;
}

/** A variable with a fixed list of values. */
export interface CustomVariable {
  readonly kind: 'custom';
  /** Name used in expressions as `$name`. */
  readonly name: string;
  /** Label shown above the drop-down. */
  readonly label: string;
  /** The values to choose from. */
  readonly values: readonly string[];
  /** The selected value(s) when the dashboard opens; must be among `values`. */
  readonly defaults: readonly string[];
  /**
   * Allows several values at once.
   * @default false
   */
  readonly multi?: boolean;
}

/** Props for {@link Dashboard}. */
export interface DashboardProps {
  /** Dashboard title (Kiali links to Istio's dashboards by title). */
  readonly title: string;
  /** Stable uid, part of the dashboard's URL. */
  readonly uid: string;
  /**
   * Tags shown in the dashboard list.
   * @default ['istio']
   */
  readonly tags?: readonly string[];
  /**
   * Auto-refresh interval, e.g. `30s`, or `false` for none.
   * @default '30s'
   */
  readonly refresh?: string | false;
  /**
   * Default time range start, relative to now.
   * @default 'now-15m'
   */
  readonly from?: string;
  /**
   * Template variables besides the datasource variable, which every dashboard gets first.
   * @default none
   */
  readonly variables?: readonly TemplateVariable[];
}

/** Common options of the panels that show data. */
export interface PanelOptions {
  /** Panel title. */
  readonly title: string;
  /**
   * Help text shown in the panel's info tooltip.
   * @default none
   */
  readonly description?: string;
  /** Width in grid columns (1-24). */
  readonly width: number;
  /** Height in grid units (one unit is 30 px). */
  readonly height: number;
  /**
   * Unit of the values.
   * @default 'short'
   */
  readonly unit?: GrafanaUnit;
}

/** Options of a {@link Dashboard.addTimeseries} panel. */
export interface TimeseriesOptions extends PanelOptions {
  /** The queries, one series set each. */
  readonly queries: readonly PromQuery[];
  /**
   * Stack series on top of each other (for parts of a whole, such as responses by code).
   * @default false
   */
  readonly stacked?: boolean;
}

/** Options of a {@link Dashboard.addStat} panel. */
export interface StatOptions extends PanelOptions {
  /** The single query whose latest value is shown. */
  readonly query: PromQuery;
  /**
   * Colour thresholds as ascending `[value, colour]` pairs above a base colour.
   * @default none (one colour)
   */
  readonly thresholds?: { readonly base: string; readonly steps: ReadonlyArray<readonly [number, string]> };
}

/** A column of a {@link Dashboard.addTable} panel. */
export interface TableColumn {
  /** Column header. */
  readonly header: string;
  /** The instant query that fills the column; rows are joined on the query's `by` labels. */
  readonly expr: string;
  /**
   * Unit of the column's values.
   * @default 'short'
   */
  readonly unit?: GrafanaUnit;
}

/** Options of a {@link Dashboard.addTable} panel. */
export interface TableOptions extends Omit<PanelOptions, 'unit'> {
  /** Label columns to show first, in order, with their headers. */
  readonly labels: ReadonlyArray<readonly [label: string, header: string]>;
  /** Value columns, one instant query each. */
  readonly columns: readonly TableColumn[];
}

/** Options of a {@link Dashboard.addHeatmap} panel. */
export interface HeatmapOptions extends PanelOptions {
  /** The per-second rate of a histogram's buckets, summed `by (le)`: one heatmap row per bucket. */
  readonly query: PromQuery;
}

/** Options of a {@link Dashboard.addText} panel. */
export interface TextOptions {
  /** Panel title; empty for none. */
  readonly title: string;
  /** Markdown content; may use template variables. */
  readonly markdown: string;
  /** Width in grid columns (1-24). */
  readonly width: number;
  /** Height in grid units. */
  readonly height: number;
}

/** Grid position of a panel. */
export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** The JSON of one panel (the fields this builder writes). */
export type PanelJson = {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: GridPos;
} & Record<string, unknown>;

/** The JSON of a dashboard (the fields this builder writes). */
export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly panels: readonly PanelJson[];
  readonly templating: { readonly list: ReadonlyArray<Record<string, unknown>> };
  readonly [key: string]: unknown;
}

/** A Grafana dashboard under construction. */
export class Dashboard {
  public readonly title: string;
  public readonly uid: string;
  private readonly props: DashboardProps;
  private readonly panels: PanelJson[] = [];
  private readonly variableNames: Set<string>;
  private nextId = 1;
  /** Cursor of the automatic layout. */
  private x = 0;
  private y = 0;
  private lineHeight = 0;

  constructor(props: DashboardProps) {
    if (!props.title.trim()) throw new Error('Dashboard: title must not be empty');
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(props.uid))
      throw new Error(
        `Dashboard ${props.title}: uid ${JSON.stringify(props.uid)} must be 1-40 letters, digits, "-" or "_"`,
      );
    this.title = props.title;
    this.uid = props.uid;
    this.props = props;
    this.variableNames = new Set([DATASOURCE_VARIABLE]);
    for (const v of props.variables ?? []) {
      if (this.variableNames.has(v.name))
        throw new Error(`Dashboard ${props.title}: variable $${v.name} is defined twice`);
      if (v.kind === 'custom' && !v.defaults.every((d) => v.values.includes(d))) {
        throw new Error(`Dashboard ${props.title}: defaults of $${v.name} must be among its values`);
      }
      this.variableNames.add(v.name);
    }
  }

  /** Starts a new row with a header; the panels added next belong to it. */
  public addRow(title: string): PanelJson {
    this.newLine();
    const row = this.place({ type: 'row', title, collapsed: false, panels: [] }, GRID_COLUMNS, 1);
    this.newLine();
    return row;
  }

  /** Adds a time series graph. */
  public addTimeseries(options: TimeseriesOptions): PanelJson {
    return this.place(
      {
        type: 'timeseries',
        title: options.title,
        ...describe(options),
        datasource: PROMETHEUS,
        targets: this.targets(options.queries),
        fieldConfig: {
          defaults: {
            unit: options.unit ?? 'short',
            color: { mode: 'palette-classic' },
            custom: {
              drawStyle: 'line',
              lineWidth: 1,
              fillOpacity: options.stacked ? 30 : 10,
              showPoints: 'never',
              spanNulls: false,
              stacking: { mode: options.stacked ? 'normal' : 'none', group: 'A' },
            },
          },
          overrides: [],
        },
        options: {
          legend: { displayMode: 'list', placement: 'bottom', calcs: [] },
          tooltip: { mode: 'multi', sort: 'desc' },
        },
      },
      options.width,
      options.height,
    );
  }

  /** Adds a single-value panel showing the latest value of one query, with a sparkline. */
  public addStat(options: StatOptions): PanelJson {
    const thresholds = options.thresholds ?? { base: 'green', steps: [] };
    return this.place(
      {
        type: 'stat',
        title: options.title,
        ...describe(options),
        datasource: PROMETHEUS,
        targets: this.targets([options.query]),
        fieldConfig: {
          defaults: {
            unit: options.unit ?? 'short',
            color: { mode: 'thresholds' },
            thresholds: {
              mode: 'absolute',
              steps: [
                { color: thresholds.base, value: null },
                ...thresholds.steps.map(([value, color]) => ({ color, value })),
              ],
            },
            noValue: 'N/A',
          },
          overrides: [],
        },
        options: {
          reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
          colorMode: 'value',
          graphMode: 'area',
          justifyMode: 'auto',
          orientation: 'auto',
          textMode: 'auto',
        },
      },
      options.width,
      options.height,
    );
  }

  /** Adds a table whose rows join several instant queries on their common labels. */
  public addTable(options: TableOptions): PanelJson {
    const refIds = options.columns.map((_, i) => refId(i));
    const labelOrder = options.labels.map(([label]) => label);
    return this.place(
      {
        type: 'table',
        title: options.title,
        ...describe(options),
        datasource: PROMETHEUS,
        targets: options.columns.map((c, i) => ({
          ...this.target({ expr: c.expr }, i),
          format: 'table',
          instant: true,
          range: false,
        })),
        // One table from all queries joined on their labels, then only the wanted columns, in order and named.
        transformations: [
          { id: 'merge', options: {} },
          {
            id: 'filterFieldsByName',
            options: { include: { names: [...labelOrder, ...refIds.map((r) => `Value #${r}`)] } },
          },
          {
            id: 'organize',
            options: {
              excludeByName: {},
              indexByName: Object.fromEntries(
                [...labelOrder, ...refIds.map((r) => `Value #${r}`)].map((name, i) => [name, i]),
              ),
              renameByName: Object.fromEntries([
                ...options.labels.map(([label, header]) => [label, header]),
                ...options.columns.map((c, i) => [`Value #${refIds[i]}`, c.header]),
              ]),
            },
          },
        ],
        fieldConfig: {
          defaults: { custom: { align: 'auto', displayMode: 'auto' } },
          overrides: options.columns.map((c, i) => ({
            matcher: { id: 'byName', options: `Value #${refIds[i]}` },
            properties: [
              { id: 'unit', value: c.unit ?? 'short' },
              { id: 'decimals', value: 2 },
            ],
          })),
        },
        options: { showHeader: true, footer: { show: false, reducer: ['sum'], fields: '' } },
      },
      options.width,
      options.height,
    );
  }

  /** Adds a heatmap of a histogram's buckets over time (how many observations fell in each). */
  public addHeatmap(options: HeatmapOptions): PanelJson {
    return this.place(
      {
        type: 'heatmap',
        title: options.title,
        ...describe(options),
        datasource: PROMETHEUS,
        // Grafana turns `le` series into buckets only for the heatmap format.
        targets: this.targets([options.query]).map((t) => ({ ...t, format: 'heatmap' })),
        fieldConfig: { defaults: { unit: options.unit ?? 'short' }, overrides: [] },
        options: {
          calculate: false,
          cellGap: 1,
          color: { mode: 'scheme', scheme: 'Spectral', steps: 64, exponent: 0.5, fill: 'dark-orange' },
          yAxis: { axisPlacement: 'left', unit: options.unit ?? 'short' },
          rowsFrame: { layout: 'auto' },
          tooltip: { mode: 'single', yHistogram: false },
          legend: { show: true },
        },
      },
      options.width,
      options.height,
    );
  }

  /** Adds a markdown text panel. */
  public addText(options: TextOptions): PanelJson {
    this.checkVariables(options.markdown, `text panel ${options.title}`);
    return this.place(
      {
        type: 'text',
        title: options.title,
        transparent: true,
        options: { mode: 'markdown', content: options.markdown },
      },
      options.width,
      options.height,
    );
  }

  /** The dashboard model Grafana loads. */
  public toJson(): DashboardJson {
    return {
      uid: this.uid,
      title: this.title,
      tags: [...(this.props.tags ?? ['istio'])],
      editable: false,
      graphTooltip: 1,
      fiscalYearStartMonth: 0,
      liveNow: false,
      style: 'dark',
      timezone: 'browser',
      refresh: this.props.refresh ?? '30s',
      time: { from: this.props.from ?? 'now-15m', to: 'now' },
      timepicker: {},
      annotations: {
        list: [
          {
            builtIn: 1,
            datasource: { type: 'grafana', uid: '-- Grafana --' },
            enable: true,
            hide: true,
            iconColor: 'rgba(0, 211, 255, 1)',
            name: 'Annotations & Alerts',
            type: 'dashboard',
          },
        ],
      },
      links: [],
      templating: { list: [datasourceVariable(), ...(this.props.variables ?? []).map(variableJson)] },
      panels: this.panels.map((p) => ({ ...p })),
      schemaVersion: DASHBOARD_SCHEMA_VERSION,
      version: 1,
    };
  }

  /**
   * The dashboard as the JSON file Grafana's file provider reads; compact, because all of a
   * folder's dashboards share one ConfigMap (at most 1 MiB, and `kubectl apply` keeps a copy
   * of it in an annotation limited to 256 KiB).
   */
  public render(): string {
    return JSON.stringify(this.toJson());
  }

  private targets(queries: readonly PromQuery[]): Array<Record<string, unknown>> {
    if (queries.length === 0) throw new Error(`Dashboard ${this.title}: a panel needs at least one query`);
    return queries.map((q, i) => this.target(q, i));
  }

  private target(query: PromQuery, index: number): Record<string, unknown> {
    this.checkVariables(query.expr, `query ${query.expr}`);
    return {
      refId: refId(index),
      datasource: PROMETHEUS,
      editorMode: 'code',
      expr: query.expr,
      range: true,
      ...(query.legend !== undefined ? { legendFormat: query.legend } : {}),
    };
  }

  /** A typo in a variable name would silently match nothing; refuse it at build time. */
  private checkVariables(text: string, where: string): void {
    for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const name = m[1];
      if (name.startsWith('__')) continue; // Grafana's built-ins: $__rate_interval, $__interval, $__range
      if (!this.variableNames.has(name))
        throw new Error(`Dashboard ${this.title}: ${where} uses undefined variable $${name}`);
    }
  }

  private place(body: Record<string, unknown> & { type: string; title: string }, w: number, h: number): PanelJson {
    if (!Number.isInteger(w) || w < 1 || w > GRID_COLUMNS)
      throw new Error(`Dashboard ${this.title}: panel ${body.title} width ${w} must be 1-${GRID_COLUMNS}`);
    if (!Number.isInteger(h) || h < 1)
      throw new Error(`Dashboard ${this.title}: panel ${body.title} height ${h} must be a positive whole number`);
    if (this.x + w > GRID_COLUMNS) this.newLine();
    const panel: PanelJson = { id: this.nextId++, ...body, gridPos: { x: this.x, y: this.y, w, h } };
    this.panels.push(panel);
    this.x += w;
    this.lineHeight = Math.max(this.lineHeight, h);
    return panel;
  }

  private newLine(): void {
    this.y += this.lineHeight;
    this.x = 0;
    this.lineHeight = 0;
  }
}

function refId(index: number): string {
  return String.fromCharCode('A'.charCodeAt(0) + index);
}

function describe(options: { readonly description?: string }): Record<string, unknown> {
  return options.description ? { description: options.description } : {};
}

function datasourceVariable(): Record<string, unknown> {
  return {
    name: DATASOURCE_VARIABLE,
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: {},
    hide: 0,
    includeAll: false,
    multi: false,
    options: [],
    refresh: 1,
    regex: '',
    skipUrlSync: false,
  };
}

function variableJson(v: TemplateVariable): Record<string, unknown> {
  const common = { name: v.name, label: v.label, hide: 0, skipUrlSync: false, multi: v.multi ?? false };
  if (v.kind === 'custom') {
    const selected = (value: string) => v.defaults.includes(value);
    return {
      ...common,
      type: 'custom',
      query: v.values.join(','),
      includeAll: false,
      current: { selected: true, text: [...v.defaults], value: [...v.defaults] },
      options: v.values.map((value) => ({ selected: selected(value), text: value, value })),
    };
  }
  return {
    ...common,
    type: 'query',
    datasource: PROMETHEUS,
    query: v.query,
    definition: v.query,
    regex: v.regex ?? '',
    // Refresh the choices when the time range changes: workloads come and go.
    refresh: 2,
    sort: 1,
    includeAll: v.multi ?? false,
    ...(v.multi ? { allValue: '.*' } : {}),
    current: {},
    options: [],
  };
}
