import { Testing } from 'cdk8s';

import { EgressNetworkPolicy } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { quietChart } from '../support/quiet';

describe('EgressNetworkPolicy', () => {
  test('every pod of the namespace reaches DNS on UDP 53 and istio-system only', () => {
    // GIVEN
    const chart = quietChart();
    // WHEN
    new EgressNetworkPolicy(chart, 'lockdown', {
      name: 'allow-egress-to-istio-system-and-kube-dns',
      namespace: 'test-egress',
    });
    const [policy] = Testing.synth(chart);
    // THEN
    expect(policy).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-egress-to-istio-system-and-kube-dns', namespace: 'test-egress' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kube-system': 'true' } } }],
            ports: [{ protocol: 'UDP', port: 53 }],
          },
          { to: [{ namespaceSelector: { matchLabels: { istio: 'system' } } }] },
        ],
      },
    });
  });

  test('further gateway namespaces (a Gateway API gateway), another DNS namespace, some pods only', () => {
    // GIVEN
    const chart = quietChart();
    // WHEN
    new EgressNetworkPolicy(chart, 'lockdown', {
      name: 'lockdown',
      namespace: 'apps',
      gatewayNamespaces: [{ istio: 'system' }, { gateway: 'true' }],
      dnsNamespace: { 'kubernetes.io/metadata.name': 'kube-system' },
      podSelector: { app: 'curl' },
    });
    const [policy] = Testing.synth(chart);
    // THEN
    expect(policy.spec.podSelector).toEqual({ matchLabels: { app: 'curl' } });
    expect(policy.spec.egress.map((e: any) => e.to[0].namespaceSelector.matchLabels)).toEqual([
      { 'kubernetes.io/metadata.name': 'kube-system' },
      { istio: 'system' },
      { gateway: 'true' },
    ]);
  });

  test.each([
    ['no gateway namespaces', { gatewayNamespaces: [] }, 'gatewayNamespaces'],
    ['an empty namespace selector (every namespace)', { gatewayNamespaces: [{}] }, 'gatewayNamespaces[0]'],
    ['an empty DNS namespace selector', { dnsNamespace: {} }, 'dnsNamespace'],
    ['a namespace that is no DNS label', { namespace: 'Test' }, 'namespace'],
    ['a bad pod label', { podSelector: { app: 'a b' } }, 'podSelector["app"]'],
  ])('refuses %s, naming the field', (_what, props, field) => {
    // GIVEN
    const chart = quietChart();
    // WHEN
    const error = invalidInputOf(
      () => new EgressNetworkPolicy(chart, 'p', { name: 'lockdown', namespace: 'apps', ...props } as never),
    );
    // THEN
    expect(error.field).toBe(field);
    expect(error.constructPath).toBe('test/p');
  });
});
