import { Testing } from 'cdk8s';

import { IstioRelease } from '../../lib/core/istio-release';
import { CaptureMode, OutboundTrafficMode, Sidecar, sidecarDnsNameProblem } from '../../lib/security/sidecar';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

const ratings = { serviceName: 'ratings', namespace: 'bookinfo', port: 9080, versions: ['v1'] };

describe('Sidecar', () => {
  test('namespace default, workload-specific listeners, outbound traffic policies', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const ns = new Sidecar(chart, 'ns', {
      namespace: 'bookinfo',
      egress: [{ hosts: ['./*', 'istio-system/*', '~legacy/*'] }],
      outboundTrafficPolicy: { mode: OutboundTrafficMode.REGISTRY_ONLY },
    });
    new Sidecar(chart, 'ratings', {
      name: 'ratings',
      workloadSelector: ratings,
      ingress: [
        {
          port: { number: 9080, protocol: 'HTTP', name: 'somename' },
          defaultEndpoint: '127.0.0.1:8080',
          captureMode: CaptureMode.NONE,
          bind: '0.0.0.0',
        },
      ],
      egress: [
        {
          port: { number: 3306, protocol: 'MYSQL' },
          hosts: ['*/mysql.foo.com'],
          bind: '127.0.0.1',
          captureMode: CaptureMode.NONE,
        },
        { hosts: ['*/*.example.com', 'bookinfo/reviews.bookinfo.svc.cluster.local'] },
      ],
      outboundTrafficPolicy: {
        mode: OutboundTrafficMode.ALLOW_ANY,
        egressProxy: { host: 'egress.istio-system.svc.cluster.local', port: 3128, subset: 'v1' },
      },
    });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects).toEqual([
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Sidecar',
        metadata: { name: 'default', namespace: 'bookinfo' },
        spec: {
          egress: [{ hosts: ['./*', 'istio-system/*', '~legacy/*'] }],
          outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
        },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Sidecar',
        metadata: { name: 'ratings', namespace: 'bookinfo' },
        spec: {
          workloadSelector: { labels: { app: 'ratings' } },
          ingress: [
            {
              port: { number: 9080, protocol: 'HTTP', name: 'somename' },
              bind: '0.0.0.0',
              captureMode: 'NONE',
              defaultEndpoint: '127.0.0.1:8080',
            },
          ],
          egress: [
            {
              port: { number: 3306, protocol: 'MYSQL' },
              bind: '127.0.0.1',
              captureMode: 'NONE',
              hosts: ['*/mysql.foo.com'],
            },
            { hosts: ['*/*.example.com', 'bookinfo/reviews.bookinfo.svc.cluster.local'] },
          ],
          outboundTrafficPolicy: {
            mode: 'ALLOW_ANY',
            egressProxy: { host: 'egress.istio-system.svc.cluster.local', subset: 'v1', port: { number: 3128 } },
          },
        },
      },
    ]);
    // Valid for Istio's Sidecar CRD (imports/crds/istio-1.30.3-schema-only-v1.yaml), both validators.
    expect(allSchemaErrors(objects)).toEqual([]);
    expect([ns.name, ns.namespace, ns.sidecar.kind]).toEqual(['default', 'bookinfo', 'Sidecar']);
    expect(Sidecar.isSidecar(ns)).toBe(true);
  });

  test('v1beta1 on Istio 1.17', () => {
    const chart = chartOn(IstioRelease.V1_17);
    new Sidecar(chart, 's', { egress: [{ hosts: ['*/*'] }] });
    expect(Testing.synth(chart)[0].apiVersion).toBe('networking.istio.io/v1beta1');
  });

  test("egress host names follow istiod's validateSidecarOrGatewayHostnamePart", () => {
    for (const ok of ['*', 'a.b', '*.example.com', 'Foo.Example.com', 'istio.io.', 'foo.example.com']) {
      expect([ok, sidecarDnsNameProblem(ok)]).toEqual([ok, undefined]);
    }
    for (const bad of ['reviews', 'a*.example.com', '*.*.com', 'a.123', 'a_b.com', 'a..b', `${'a'.repeat(64)}.com`]) {
      expect([bad, sidecarDnsNameProblem(bad)]).not.toEqual([bad, undefined]);
    }
  });

  test('bad input is refused with path, field, value and what is allowed', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const eg = (e: Record<string, unknown>) => ({ egress: [{ hosts: ['./*'], ...e }] });
    const cases: [Record<string, unknown>, string, unknown][] = [
      [{}, 'props', '<no egress, ingress or outboundTrafficPolicy>'],
      [{ name: 'X', egress: [{ hosts: ['./*'] }] }, 'name', 'X'],
      [{ workloadSelector: {}, egress: [{ hosts: ['./*'] }] }, 'workloadSelector', {}],
      [
        { workloadSelector: ratings, namespace: 'x', egress: [{ hosts: ['./*'] }] },
        'workloadSelector.namespace',
        'bookinfo',
      ],
      [{ egress: [] }, 'egress', []],
      [{ egress: [{ hosts: ['./*'] }, { hosts: ['./*'] }] }, 'egress[0].port', undefined],
      [
        {
          egress: [
            { hosts: ['./*'], port: { number: 80, protocol: 'HTTP' } },
            { hosts: ['./*'], port: { number: 80, protocol: 'TCP' } },
          ],
        },
        'egress[1].port.number',
        80,
      ],
      [eg({ hosts: [] }), 'egress[0].hosts', []],
      [eg({ hosts: ['reviews'] }), 'egress[0].hosts[0]', 'reviews'],
      [eg({ hosts: ['./reviews'] }), 'egress[0].hosts[0]', './reviews'],
      [eg({ hosts: ['Bad_ns/*'] }), 'egress[0].hosts[0]', 'Bad_ns/*'],
      [eg({ hosts: ['./a*.com'] }), 'egress[0].hosts[0]', './a*.com'],
      [eg({ hosts: ['*/'] }), 'egress[0].hosts[0]', '*/'],
      [eg({ hosts: ['./*', './*'] }), 'egress[0].hosts[1]', './*'],
      [eg({ port: { number: 0, protocol: 'HTTP' } }), 'egress[0].port.number', 0],
      [eg({ port: { number: 80, protocol: 'SOAP' } }), 'egress[0].port.protocol', 'SOAP'],
      [eg({ port: { number: 80, protocol: 'HTTP', name: 'Web' } }), 'egress[0].port.name', 'Web'],
      [eg({ bind: 'localhost' }), 'egress[0].bind', 'localhost'],
      [eg({ captureMode: 'TPROXY' }), 'egress[0].captureMode', 'TPROXY'],
      [{ ingress: [] }, 'ingress', []],
      [{ ingress: [{}] }, 'ingress[0].port', undefined],
      [
        { ingress: [{ port: { number: 80, protocol: 'HTTP' }, defaultEndpoint: '10.0.0.1:80' }] },
        'ingress[0].defaultEndpoint',
        '10.0.0.1:80',
      ],
      [
        { ingress: [{ port: { number: 80, protocol: 'HTTP' }, defaultEndpoint: ':0' }] },
        'ingress[0].defaultEndpoint',
        ':0',
      ],
      [
        { ingress: [{ port: { number: 80, protocol: 'HTTP' } }, { port: { number: 80, protocol: 'HTTP' } }] },
        'ingress[1].port.number',
        80,
      ],
      [
        { outboundTrafficPolicy: { mode: 'ALLOW_ANY_DYNAMIC_DNS' } },
        'outboundTrafficPolicy.mode',
        'ALLOW_ANY_DYNAMIC_DNS',
      ],
      [
        { outboundTrafficPolicy: { mode: OutboundTrafficMode.REGISTRY_ONLY, egressProxy: { host: 'a.b', port: 1 } } },
        'outboundTrafficPolicy.egressProxy',
        { host: 'a.b', port: 1 },
      ],
      [
        { outboundTrafficPolicy: { mode: OutboundTrafficMode.ALLOW_ANY, egressProxy: { host: '*.b', port: 1 } } },
        'outboundTrafficPolicy.egressProxy.host',
        '*.b',
      ],
      [
        { outboundTrafficPolicy: { mode: OutboundTrafficMode.ALLOW_ANY, egressProxy: { host: 'a.b' } } },
        'outboundTrafficPolicy.egressProxy.port',
        undefined,
      ],
    ];
    cases.forEach(([props, field, value], i) => {
      // WHEN / THEN
      const e = invalidInputOf(() => new Sidecar(chart, `c${i}`, props as never));
      expect([e.constructPath, e.field, e.value]).toEqual([`test/c${i}`, field, value]);
      expect(e.allowed.length).toBeGreaterThan(0);
    });
  });
});
