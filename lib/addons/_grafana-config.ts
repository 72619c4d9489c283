import { Yaml } from 'cdk8s';

/** A `grafana.ini` value. */
export type GrafanaIniValue = string | number | boolean;

/** `grafana.ini` as sections of settings, e.g. `{ 'auth.anonymous': { enabled: false } }`. */
export type GrafanaIni = Readonly<Record<string, Readonly<Record<string, GrafanaIniValue>>>>;

const INI_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Serializes `grafana.ini`: one `[section]` per entry with `key = value` lines, in the given order.
 * @throws Error for a section or key Grafana could not parse, or a value spanning lines
 */
export function renderGrafanaIni(ini: GrafanaIni): string {
  const lines: string[] = [];
  for (const [section, settings] of Object.entries(ini)) {
    if (!INI_NAME.test(section))
      throw new Error(`grafana.ini: section name ${JSON.stringify(section)} must be letters, digits, ".", "_" or "-"`);
    lines.push(`[${section}]`);
    for (const [key, value] of Object.entries(settings)) {
      if (!INI_NAME.test(key))
        throw new Error(
          `grafana.ini: key ${JSON.stringify(key)} in [${section}] must be letters, digits, ".", "_" or "-"`,
        );
      const text = String(value);
      if (/[\r\n]/.test(text)) throw new Error(`grafana.ini: value of ${section}.${key} must be a single line`);
      lines.push(`${key} = ${text}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A datasource in Grafana's provisioning format (`provisioning/datasources/*.yaml`). */
export interface GrafanaDatasource {
  /** Name shown in Grafana; dashboards may refer to it. */
  readonly name: string;
  /** Plugin id, e.g. `prometheus`. */
  readonly type: string;
  /** Base URL of the backend. */
  readonly url: string;
  /** `proxy`: Grafana's server queries the backend (the browser needs no access to it). */
  readonly access: 'proxy' | 'direct';
  /** Organization the datasource belongs to. */
  readonly orgId: number;
  /** Whether panels without an explicit datasource use this one. */
  readonly isDefault: boolean;
  /** Whether users may change it in the UI. */
  readonly editable: boolean;
  /**
   * Plugin-specific settings, e.g. Prometheus' `timeInterval` (its scrape interval).
   * @default none
   */
  readonly jsonData?: Readonly<Record<string, string | number | boolean>>;
}

/** Serializes `datasources.yaml` (provisioning format version 1). */
export function renderDatasources(datasources: readonly GrafanaDatasource[]): string {
  const names = new Set<string>();
  for (const ds of datasources) {
    if (names.has(ds.name))
      throw new Error(`datasources.yaml: datasource name ${JSON.stringify(ds.name)} is used twice`);
    names.add(ds.name);
  }
  if (datasources.filter((ds) => ds.isDefault).length > 1)
    throw new Error('datasources.yaml: at most one datasource may be the default');
  return Yaml.stringify({ apiVersion: 1, datasources: datasources.map((ds) => ({ ...ds })) });
}

/** A dashboard provider that loads every dashboard file in a directory. */
export interface GrafanaDashboardProvider {
  /** Provider name, unique per Grafana. */
  readonly name: string;
  /** Dashboard folder in Grafana's UI. */
  readonly folder: string;
  /** Directory the dashboard JSON files are mounted at. */
  readonly path: string;
  /** Organization the dashboards belong to. */
  readonly orgId: number;
  /** Whether users may delete provisioned dashboards in the UI. */
  readonly disableDeletion: boolean;
}

/** Serializes `dashboardproviders.yaml` (provisioning format version 1, file providers). */
export function renderDashboardProviders(providers: readonly GrafanaDashboardProvider[]): string {
  const names = new Set<string>();
  for (const p of providers) {
    if (names.has(p.name))
      throw new Error(`dashboardproviders.yaml: provider name ${JSON.stringify(p.name)} is used twice`);
    names.add(p.name);
  }
  return Yaml.stringify({
    apiVersion: 1,
    providers: providers.map((p) => ({
      name: p.name,
      orgId: p.orgId,
      folder: p.folder,
      type: 'file',
      disableDeletion: p.disableDeletion,
      options: { path: p.path },
    })),
  });
}
