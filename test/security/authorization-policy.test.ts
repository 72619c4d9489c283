import { Testing } from 'cdk8s';

import { Waypoint } from '../../lib/ambient/waypoint';
import { MeshAnalysis } from '../../lib/analysis/mesh-analysis';
import { isIstioIpBlock } from '../../lib/core/_cidr';
import { IstioRelease } from '../../lib/core/istio-release';
import { AuthorizationAction, AuthorizationPolicy } from '../../lib/security/authorization-policy';
import { invalidInputOf } from '../support/assertions';
import { collectWarnings } from '../support/quiet';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

const productpage = { serviceName: 'productpage', namespace: 'default', port: 9080, versions: ['v1'] };
const ingressIdentity = { serviceAccountName: 'bookinfo-gateway-istio', namespace: 'default' };
const curl = { serviceAccountName: 'curl', namespace: 'default' };

describe('AuthorizationPolicy', () => {
  test('L4 policy on ztunnel (ambient step 4): selector from a service, principal from an identity', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const ap = new AuthorizationPolicy(chart, 'l4', {
      name: 'productpage-ztunnel',
      selector: productpage,
      rules: [{ from: [{ principals: [ingressIdentity] }] }],
    });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'productpage-ztunnel', namespace: 'default' },
        spec: {
          selector: { matchLabels: { app: 'productpage' } },
          action: 'ALLOW',
          rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-gateway-istio'] } }] }],
        },
      },
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect([ap.name, ap.namespace, ap.action, ap.policy.kind]).toEqual([
      'productpage-ztunnel',
      'default',
      AuthorizationAction.ALLOW,
      'AuthorizationPolicy',
    ]);
    expect(MeshAnalysis.isMeshAnalysis(chart.node.root.node.tryFindChild('MeshAnalysis'))).toBe(true);
  });

  test('L7 policy on the waypoint (ambient step 6): targetRefs the Service; ztunnel admits the waypoint', () => {
    const chart = chartOn(IstioRelease.V1_30);
    const waypoint = new Waypoint(chart, 'waypoint');
    new AuthorizationPolicy(chart, 'l7', {
      name: 'productpage-waypoint',
      targetRefs: [productpage],
      rules: [{ from: [{ principals: [curl] }], to: [{ methods: ['GET'] }] }],
    });
    const l4 = new AuthorizationPolicy(chart, 'l4', { name: 'productpage-ztunnel', selector: productpage });
    const rule = l4.addRule({ from: [{ principals: [ingressIdentity, waypoint] }] });
    expect(rule.from[0].principals).toEqual([ingressIdentity, waypoint]);
    const objects = Testing.synth(chart);
    expect(objects).toMatchSnapshot();
    expect(objects.slice(1)).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'productpage-waypoint', namespace: 'default' },
        spec: {
          targetRefs: [{ kind: 'Service', group: '', name: 'productpage' }],
          action: 'ALLOW',
          rules: [
            {
              from: [{ source: { principals: ['cluster.local/ns/default/sa/curl'] } }],
              to: [{ operation: { methods: ['GET'] } }],
            },
          ],
        },
      },
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'productpage-ztunnel', namespace: 'default' },
        spec: {
          selector: { matchLabels: { app: 'productpage' } },
          action: 'ALLOW',
          rules: [
            {
              from: [
                {
                  source: {
                    principals: [
                      'cluster.local/ns/default/sa/bookinfo-gateway-istio',
                      'cluster.local/ns/default/sa/waypoint',
                    ],
                  },
                },
              ],
            },
          ],
        },
      },
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(l4.rules).toHaveLength(1);
  });

  test('every field: gateway target, namespaces, ipBlocks, ports, paths, hosts, DENY, trust domain', () => {
    const chart = chartOn(IstioRelease.V1_30);
    const waypoint = new Waypoint(chart, 'w', { name: 'wp', namespace: 'apps' });
    new AuthorizationPolicy(chart, 'deny', {
      name: 'deny-admin',
      targetRefs: [waypoint],
      action: AuthorizationAction.DENY,
      trustDomain: 'example.org',
      rules: [
        {
          from: [
            { principals: [{ serviceAccountName: 'bot', namespace: 'ci' }], namespaces: ['ci'] },
            { ipBlocks: ['10.0.0.0/8', '2001:db8::1'] },
          ],
          to: [
            {
              ports: [8080],
              paths: ['/admin/*', '*.php', '/api/{*}/raw/{**}'],
              hosts: ['*.example.com'],
              methods: ['POST', '*'],
            },
          ],
        },
      ],
    });
    new AuthorizationPolicy(chart, 'deny-all', { name: 'deny-all', namespace: 'apps' });
    new AuthorizationPolicy(chart, 'pods', {
      name: 'pods',
      namespace: 'apps',
      selector: { app: 'x', version: 'v1' },
      rules: [{}],
    });
    const objects = Testing.synth(chart);
    expect(objects.slice(1).map((o) => [o.metadata, o.spec])).toEqual([
      [
        { name: 'deny-admin', namespace: 'apps' },
        {
          targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'wp' }],
          action: 'DENY',
          rules: [
            {
              from: [
                { source: { principals: ['example.org/ns/ci/sa/bot'], namespaces: ['ci'] } },
                { source: { ipBlocks: ['10.0.0.0/8', '2001:db8::1'] } },
              ],
              to: [
                {
                  operation: {
                    ports: ['8080'],
                    methods: ['POST', '*'],
                    paths: ['/admin/*', '*.php', '/api/{*}/raw/{**}'],
                    hosts: ['*.example.com'],
                  },
                },
              ],
            },
          ],
        },
      ],
      // ALLOW without rules: matches nothing, so it denies all.
      [{ name: 'deny-all', namespace: 'apps' }, { action: 'ALLOW' }],
      [
        { name: 'pods', namespace: 'apps' },
        { selector: { matchLabels: { app: 'x', version: 'v1' } }, action: 'ALLOW', rules: [{}] },
      ],
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('a selector policy on Istio 1.17 is v1beta1; CUSTOM with a provider', () => {
    const chart = chartOn(IstioRelease.V1_17);
    new AuthorizationPolicy(chart, 'ext', {
      name: 'ext-authz',
      selector: { app: 'productpage' },
      action: AuthorizationAction.CUSTOM,
      provider: 'my-authz',
      rules: [{ to: [{ paths: ['/admin'] }] }],
    });
    const objects = Testing.synth(chart);
    expect(objects[0].apiVersion).toBe('security.istio.io/v1beta1');
    expect(objects[0].spec).toEqual({
      selector: { matchLabels: { app: 'productpage' } },
      action: 'CUSTOM',
      provider: { name: 'my-authz' },
      rules: [{ to: [{ operation: { paths: ['/admin'] } }] }],
    });
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test('DENY without rules fails synthesis validation', () => {
    const chart = chartOn(IstioRelease.V1_30);
    const ap = new AuthorizationPolicy(chart, 'deny', { name: 'd', action: AuthorizationAction.DENY });
    expect(ap.node.validate()).toEqual([
      'the DENY AuthorizationPolicy "d" has no rules and would never apply: call addRule() (an empty rule {} matches every request)',
    ]);
    ap.addRule({});
    expect(ap.node.validate()).toEqual([]);
  });

  test('IP blocks follow Go netip', () => {
    for (const ok of [
      '1.2.3.4',
      '1.2.3.4/8',
      '::',
      '::1',
      '2001:db8::/32',
      'fe80::1%eth0',
      '::ffff:1.2.3.4',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7::',
      '0.0.0.0/0',
    ]) {
      expect([ok, isIstioIpBlock(ok)]).toEqual([ok, true]);
    }
    for (const bad of [
      '01.2.3.4',
      '1.2.3.4/08',
      '1.2.3.4/33',
      '1.2.3.4/+8',
      'fe80::1%eth0/64',
      'fe80::1%',
      '1:2:3:4:5:1.2.3.4',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8::',
      '1::2::3',
      '12345::',
      ':1',
      '',
      '1.2.3',
      '1.2.3.4/',
      '::/129',
      '1.2.3.4%x',
      '10.0.0.0/8/8',
      'example.com',
    ]) {
      expect([bad, isIstioIpBlock(bad)]).toEqual([bad, false]);
    }
  });

  test('bad input is refused with path, field, value and what is allowed', () => {
    const chart = chartOn(IstioRelease.V1_30);
    const ok = { name: 'p' };
    const cases: [Record<string, unknown>, string, unknown][] = [
      [{ name: 'Bad Name' }, 'name', 'Bad Name'],
      [{ ...ok, action: 'PERMIT' }, 'action', 'PERMIT'],
      [{ ...ok, provider: 'x' }, 'provider', 'x'],
      [{ ...ok, action: AuthorizationAction.CUSTOM }, 'provider', undefined],
      [{ ...ok, selector: { app: 'a' }, targetRefs: [productpage] }, 'targetRefs', '<given with selector>'],
      [{ ...ok, selector: {} }, 'selector', {}],
      [{ ...ok, selector: { app: 'a*' } }, 'selector["app"]', 'a*'],
      [{ ...ok, selector: productpage, namespace: 'other' }, 'selector.namespace', 'default'],
      [{ ...ok, targetRefs: [] }, 'targetRefs', []],
      [{ ...ok, targetRefs: [productpage, productpage] }, 'targetRefs[1]', 'Service/productpage'],
      [
        { ...ok, targetRefs: [productpage, { ...productpage, serviceName: 'x', namespace: 'n' }] },
        'targetRefs[1].namespace',
        'n',
      ],
      [{ ...ok, targetRefs: ['productpage'] }, 'targetRefs[0]', 'productpage'],
      [{ ...ok, trustDomain: 'a/b' }, 'trustDomain', 'a/b'],
      [{ ...ok, rules: [{ from: [] }] }, 'rules[0].from', []],
      [{ ...ok, rules: [{ from: [{}] }] }, 'rules[0].from[0]', {}],
      [{ ...ok, rules: [{ to: [{}] }] }, 'rules[0].to[0]', {}],
      [
        { ...ok, rules: [{ from: [{ principals: ['cluster.local/ns/default/sa/curl'] }] }] },
        'rules[0].from[0].principals[0]',
        'cluster.local/ns/default/sa/curl',
      ],
      [
        { ...ok, rules: [{ from: [{ principals: [curl, { ...curl }] }] }] },
        'rules[0].from[0].principals[1]',
        'cluster.local/ns/default/sa/curl',
      ],
      [
        { ...ok, rules: [{ from: [{ principals: [{ serviceAccountName: 'Curl', namespace: 'default' }] }] }] },
        'rules[0].from[0].principals[0].serviceAccountName',
        'Curl',
      ],
      [{ ...ok, rules: [{ from: [{ namespaces: ['a', 'a'] }] }] }, 'rules[0].from[0].namespaces[1]', 'a'],
      [{ ...ok, rules: [{ from: [{ namespaces: ['A'] }] }] }, 'rules[0].from[0].namespaces[0]', 'A'],
      [{ ...ok, rules: [{ from: [{ ipBlocks: ['010.0.0.0/8'] }] }] }, 'rules[0].from[0].ipBlocks[0]', '010.0.0.0/8'],
      [{ ...ok, rules: [{ to: [{ ports: [0] }] }] }, 'rules[0].to[0].ports[0]', 0],
      [{ ...ok, rules: [{ to: [{ ports: [65536] }] }] }, 'rules[0].to[0].ports[0]', 65536],
      [{ ...ok, rules: [{ to: [{ methods: ['get'] }] }] }, 'rules[0].to[0].methods[0]', 'get'],
      [{ ...ok, rules: [{ to: [{ paths: ['api'] }] }] }, 'rules[0].to[0].paths[0]', 'api'],
      [{ ...ok, rules: [{ to: [{ paths: ['/a/{**}/b/{*}'] }] }] }, 'rules[0].to[0].paths[0]', '/a/{**}/b/{*}'],
      [{ ...ok, rules: [{ to: [{ paths: ['/a/{x}'] }] }] }, 'rules[0].to[0].paths[0]', '/a/{x}'],
      [{ ...ok, rules: [{ to: [{ hosts: ['*a*'] }] }] }, 'rules[0].to[0].hosts[0]', '*a*'],
      [{ ...ok, rules: [{ to: [{ hosts: ['a b'] }] }] }, 'rules[0].to[0].hosts[0]', 'a b'],
      [{ ...ok, rules: 'all' }, 'rules', 'all'],
      [{ ...ok, rules: [null] }, 'rules[0]', null],
    ];
    cases.forEach(([props, field, value], i) => {
      const e = invalidInputOf(() => new AuthorizationPolicy(chart, `c${i}`, props as never));
      expect([e.constructPath, e.field, e.value]).toEqual([`test/c${i}`, field, value]);
      expect(e.allowed.length).toBeGreaterThan(0);
    });
    const custom = { name: 'c', action: AuthorizationAction.CUSTOM, provider: 'ext' };
    const e3 = invalidInputOf(
      () => new AuthorizationPolicy(chart, 'custom', { ...custom, rules: [{ from: [{ namespaces: ['ci'] }] }] }),
    );
    expect([e3.field, e3.value]).toEqual(['rules[0].from[0]', { namespaces: ['ci'] }]);
    // targetRefs need Istio 1.22+.
    const e = invalidInputOf(
      () => new AuthorizationPolicy(chartOn(IstioRelease.V1_17), 'old', { name: 'p', targetRefs: [productpage] }),
    );
    expect([e.field, e.value]).toEqual(['targetRefs', 'Istio 1.17']);
    expect(e.allowed).toMatch(/1.22/);
    // addRule checks too.
    const ap = new AuthorizationPolicy(chart, 'later', { name: 'later' });
    const e2 = invalidInputOf(() => ap.addRule({ to: [{ methods: ['Get'] }] }));
    expect([e2.field, e2.value]).toEqual(['addRule(rules[0]).to[0].methods[0]', 'Get']);
  });
  test('Istio 1.30 fields: not- forms, serviceAccounts, requestPrincipals, remoteIpBlocks, when conditions', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // (no RequestAuthentication here: the analysis's BKI-AUTHZ-JWT-NO-AUTHN warning is collected)
    const warnings = collectWarnings(chart);
    // WHEN
    new AuthorizationPolicy(chart, 'jwt', {
      name: 'require-jwt',
      namespace: 'foo',
      selector: { app: 'httpbin' },
      rules: [
        {
          from: [
            {
              notPrincipals: [curl],
              requestPrincipals: ['testing@secure.istio.io/testing@secure.istio.io'],
              notRequestPrincipals: ['*@evil.example.com/x'],
              notNamespaces: ['legacy'],
              notIpBlocks: ['10.1.0.0/16'],
              remoteIpBlocks: ['203.0.113.0/24'],
              notRemoteIpBlocks: ['203.0.113.7'],
            },
            { serviceAccounts: [curl], notServiceAccounts: [{ serviceAccountName: 'bot', namespace: 'ci' }] },
            { trustDomains: ['cluster.local', '*.example.org'], notTrustDomains: ['legacy.*'] },
          ],
          to: [
            {
              notPorts: [15021],
              notMethods: ['DELETE'],
              notPaths: ['/admin/*'],
              notHosts: ['internal.example.com'],
            },
          ],
          when: [
            { key: 'request.auth.claims[groups]', values: ['group1'] },
            { key: 'request.headers[x-token]', notValues: ['guest'] },
            { key: 'source.ip', values: ['10.0.0.0/8'], notValues: ['10.0.0.1'] },
            { key: 'destination.port', values: ['8000'] },
            { key: 'source.serviceAccount', values: ['default/curl'] },
            { key: 'source.trustDomain', values: ['*.local'] },
            { key: 'request.auth.claims[nested][key]', values: ['v'] },
            { key: 'experimental.envoy.filters.network.mysql_proxy[db.table]', values: ['[update]'] },
            { key: 'connection.sni', values: ['*.example.com'] },
          ],
        },
      ],
    });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects).toMatchSnapshot();
    expect(warnings.map((w) => w.code)).toEqual(['BKI-AUTHZ-JWT-NO-AUTHN']);
    expect(objects[0].spec.rules).toEqual([
      {
        from: [
          {
            source: {
              notPrincipals: ['cluster.local/ns/default/sa/curl'],
              requestPrincipals: ['testing@secure.istio.io/testing@secure.istio.io'],
              notRequestPrincipals: ['*@evil.example.com/x'],
              notNamespaces: ['legacy'],
              notIpBlocks: ['10.1.0.0/16'],
              remoteIpBlocks: ['203.0.113.0/24'],
              notRemoteIpBlocks: ['203.0.113.7'],
            },
          },
          { source: { serviceAccounts: ['default/curl'], notServiceAccounts: ['ci/bot'] } },
          { source: { trustDomains: ['cluster.local', '*.example.org'], notTrustDomains: ['legacy.*'] } },
        ],
        to: [
          {
            operation: {
              notPorts: ['15021'],
              notMethods: ['DELETE'],
              notPaths: ['/admin/*'],
              notHosts: ['internal.example.com'],
            },
          },
        ],
        when: [
          { key: 'request.auth.claims[groups]', values: ['group1'] },
          { key: 'request.headers[x-token]', notValues: ['guest'] },
          { key: 'source.ip', values: ['10.0.0.0/8'], notValues: ['10.0.0.1'] },
          { key: 'destination.port', values: ['8000'] },
          { key: 'source.serviceAccount', values: ['default/curl'] },
          { key: 'source.trustDomain', values: ['*.local'] },
          { key: 'request.auth.claims[nested][key]', values: ['v'] },
          { key: 'experimental.envoy.filters.network.mysql_proxy[db.table]', values: ['[update]'] },
          { key: 'connection.sni', values: ['*.example.com'] },
        ],
      },
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
  });

  test("allowNothing and denyAll: the namespace-wide presets of Istio's docs", () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const nothing = AuthorizationPolicy.allowNothing(chart, 'nothing', { namespace: 'foo' });
    AuthorizationPolicy.denyAll(chart, 'deny', { namespace: 'istio-system' });
    AuthorizationPolicy.allowNothing(chart, 'pp', { name: 'pp-nothing', selector: productpage });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects.map((o) => [o.metadata, o.spec])).toEqual([
      [{ name: 'allow-nothing', namespace: 'foo' }, { action: 'ALLOW' }],
      [
        { name: 'deny-all', namespace: 'istio-system' },
        { action: 'DENY', rules: [{}] },
      ],
      [
        { name: 'pp-nothing', namespace: 'default' },
        { selector: { matchLabels: { app: 'productpage' } }, action: 'ALLOW' },
      ],
    ]);
    expect(nothing.action).toBe(AuthorizationAction.ALLOW);
    expect(allSchemaErrors(objects)).toEqual([]);
    const e = invalidInputOf(() => AuthorizationPolicy.denyAll(chart, 'bad', { namespace: 'Foo' }));
    expect([e.field, e.value]).toEqual(['namespace', 'Foo']);
  });

  test('bad input to the Istio 1.30 fields is refused as istiod would', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const rule = (r: Record<string, unknown>) => ({ name: 'p', rules: [r] });
    const cases: [Record<string, unknown>, string, unknown][] = [
      [rule({ from: [{ notPrincipals: ['x'] }] }), 'rules[0].from[0].notPrincipals[0]', 'x'],
      [rule({ from: [{ requestPrincipals: [''] }] }), 'rules[0].from[0].requestPrincipals[0]', ''],
      [rule({ from: [{ requestPrincipals: ['a*b'] }] }), 'rules[0].from[0].requestPrincipals[0]', 'a*b'],
      [rule({ from: [{ notNamespaces: ['A'] }] }), 'rules[0].from[0].notNamespaces[0]', 'A'],
      [rule({ from: [{ notIpBlocks: ['1.2.3.4/33'] }] }), 'rules[0].from[0].notIpBlocks[0]', '1.2.3.4/33'],
      [rule({ from: [{ remoteIpBlocks: ['x'] }] }), 'rules[0].from[0].remoteIpBlocks[0]', 'x'],
      [rule({ from: [{ notRemoteIpBlocks: [] }] }), 'rules[0].from[0].notRemoteIpBlocks', []],
      [
        rule({ from: [{ serviceAccounts: [curl], namespaces: ['default'] }] }),
        'rules[0].from[0]',
        { serviceAccounts: [curl], namespaces: ['default'] },
      ],
      [
        rule({
          from: [
            {
              serviceAccounts: Array.from({ length: 17 }, (_, i) => ({
                serviceAccountName: `sa${i}`,
                namespace: 'default',
              })),
            },
          ],
        }),
        'rules[0].from[0].serviceAccounts',
        17,
      ],
      [rule({ from: [{ trustDomains: ['a/b'] }] }), 'rules[0].from[0].trustDomains[0]', 'a/b'],
      [rule({ from: [{ notTrustDomains: ['a*b'] }] }), 'rules[0].from[0].notTrustDomains[0]', 'a*b'],
      [rule({ to: [{ notPorts: [0] }] }), 'rules[0].to[0].notPorts[0]', 0],
      [rule({ to: [{ notMethods: ['get'] }] }), 'rules[0].to[0].notMethods[0]', 'get'],
      [rule({ to: [{ notPaths: ['x'] }] }), 'rules[0].to[0].notPaths[0]', 'x'],
      [rule({ to: [{ notHosts: ['*a*'] }] }), 'rules[0].to[0].notHosts[0]', '*a*'],
      [rule({ when: [] }), 'rules[0].when', []],
      [rule({ when: [null] }), 'rules[0].when[0]', null],
      [
        rule({ when: [{ key: 'destination.labels[app]', values: ['a'] }] }),
        'rules[0].when[0].key',
        'destination.labels[app]',
      ],
      [
        rule({ when: [{ key: 'destination.namespace', values: ['a'] }] }),
        'rules[0].when[0].key',
        'destination.namespace',
      ],
      [rule({ when: [{ key: 'request.headers[]', values: ['a'] }] }), 'rules[0].when[0].key', 'request.headers[]'],
      [rule({ when: [{ key: 'request.auth.claims', values: ['a'] }] }), 'rules[0].when[0].key', 'request.auth.claims'],
      [rule({ when: [{ key: 'source.ip' }] }), 'rules[0].when[0]', { key: 'source.ip' }],
      [rule({ when: [{ key: 'source.ip', values: ['1.2.3'] }] }), 'rules[0].when[0].values[0]', '1.2.3'],
      [rule({ when: [{ key: 'remote.ip', notValues: ['x'] }] }), 'rules[0].when[0].notValues[0]', 'x'],
      [rule({ when: [{ key: 'destination.port', values: ['65536'] }] }), 'rules[0].when[0].values[0]', '65536'],
      [rule({ when: [{ key: 'source.serviceAccount', values: ['a/b/c'] }] }), 'rules[0].when[0].values[0]', 'a/b/c'],
      [rule({ when: [{ key: 'source.trustDomain', values: ['a/b'] }] }), 'rules[0].when[0].values[0]', 'a/b'],
      [rule({ when: [{ key: 'connection.sni', values: [''] }] }), 'rules[0].when[0].values[0]', ''],
    ];
    cases.forEach(([props, field, value], i) => {
      // WHEN / THEN
      const e = invalidInputOf(() => new AuthorizationPolicy(chart, `c${i}`, props as never));
      expect([e.constructPath, e.field, e.value]).toEqual([`test/c${i}`, field, value]);
      expect(e.allowed.length).toBeGreaterThan(0);
    });
    // CUSTOM: no identities, no identity or JWT conditions.
    const custom = { name: 'c', action: AuthorizationAction.CUSTOM, provider: 'ext' };
    const e1 = invalidInputOf(
      () => new AuthorizationPolicy(chart, 'custom1', { ...custom, rules: [{ from: [{ requestPrincipals: ['*'] }] }] }),
    );
    expect([e1.field, e1.value]).toEqual(['rules[0].from[0]', { requestPrincipals: ['*'] }]);
    const e2 = invalidInputOf(
      () =>
        new AuthorizationPolicy(chart, 'custom2', {
          ...custom,
          rules: [{ when: [{ key: 'request.auth.claims[iss]', values: ['x'] }] }],
        }),
    );
    expect([e2.field, e2.value]).toEqual(['rules[0].when[0].key', 'request.auth.claims[iss]']);
    // Istio 1.17's CRD has no serviceAccounts or trustDomains.
    for (const key of ['serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains']) {
      const value = key.endsWith('Domains') ? ['cluster.local'] : [curl];
      const eOld = invalidInputOf(
        () =>
          new AuthorizationPolicy(chartOn(IstioRelease.V1_17), `old-${key}`, {
            name: 'p',
            rules: [{ from: [{ [key]: value }] }],
          }),
      );
      expect([eOld.field, eOld.value]).toEqual([`rules[0].from[0].${key}`, 'Istio 1.17']);
    }
    const ok = new AuthorizationPolicy(chart, 'custom3', {
      ...custom,
      rules: [{ from: [{ remoteIpBlocks: ['1.2.3.4'] }], when: [{ key: 'request.headers[x]', values: ['y'] }] }],
    });
    expect(ok.rules[0].when).toEqual([{ key: 'request.headers[x]', values: ['y'], notValues: undefined }]);
  });
});
