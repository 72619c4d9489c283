import * as YAML from 'yaml';

import { renderDashboardProviders, renderDatasources, renderGrafanaIni } from '../../lib/addons/_grafana-config';

const prometheus = {
  name: 'Prometheus',
  type: 'prometheus',
  url: 'http://prometheus:9090',
  access: 'proxy' as const,
  orgId: 1,
  isDefault: true,
  editable: true,
  jsonData: { timeInterval: '5s' },
};

describe('grafana-config', () => {
  test('grafana.ini: sections in order, `key = value` lines, booleans and numbers as text', () => {
    expect(
      renderGrafanaIni({ paths: { data: '/var/lib/grafana/' }, 'auth.anonymous': { enabled: false, org_id: 1 } }),
    ).toBe('[paths]\ndata = /var/lib/grafana/\n[auth.anonymous]\nenabled = false\norg_id = 1\n');
  });

  test('grafana.ini: refuses what Grafana could not read back', () => {
    expect(() => renderGrafanaIni({ 'bad section': { a: 1 } })).toThrow(/section name "bad section"/);
    expect(() => renderGrafanaIni({ log: { 'mo de': 'console' } })).toThrow(/key "mo de" in \[log\]/);
    expect(() => renderGrafanaIni({ log: { mode: 'console\n[evil]' } })).toThrow(/log.mode must be a single line/);
  });

  test('datasources.yaml round-trips as provisioning format version 1', () => {
    expect(YAML.parse(renderDatasources([prometheus]))).toEqual({ apiVersion: 1, datasources: [prometheus] });
  });

  test('datasources.yaml: unique names and at most one default', () => {
    expect(() => renderDatasources([prometheus, prometheus])).toThrow(/"Prometheus" is used twice/);
    expect(() => renderDatasources([prometheus, { ...prometheus, name: 'Other' }])).toThrow(
      /at most one datasource may be the default/,
    );
  });

  test('dashboardproviders.yaml: file providers with their paths', () => {
    const text = renderDashboardProviders([
      { name: 'istio', folder: 'istio', path: '/d/istio', orgId: 1, disableDeletion: false },
    ]);
    expect(YAML.parse(text)).toEqual({
      apiVersion: 1,
      providers: [
        {
          name: 'istio',
          orgId: 1,
          folder: 'istio',
          type: 'file',
          disableDeletion: false,
          options: { path: '/d/istio' },
        },
      ],
    });
    const p = { name: 'x', folder: 'x', path: '/x', orgId: 1, disableDeletion: true };
    expect(() => renderDashboardProviders([p, p])).toThrow(/"x" is used twice/);
  });
});
