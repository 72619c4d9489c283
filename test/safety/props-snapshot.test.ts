import { Chart, Testing } from 'cdk8s';

import {
  BookinfoApp,
  BookinfoScenario,
  ExposedService,
  IngressGateway,
  IstioRelease,
  Percent,
  StrictMtls,
  StringMatch,
  VersionRouting,
} from '../../lib';
import { quietApp } from '../support/quiet';

const chartOf = () => new Chart(quietApp(), 'test');

describe('props are a snapshot: changing them after construction changes nothing', () => {
  test('a route options object changed after addRoute() does not change the VirtualService', () => {
    // GIVEN
    const chart = chartOf();
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    const routing = new VersionRouting(chart, 'reviews', { service: bookinfo.reviews });
    const options = {
      match: [{ headers: { 'end-user': StringMatch.exact('jason') } as Record<string, StringMatch> }],
      to: [{ subset: 'v2' }],
    };
    routing.addRoute(options);
    routing.routeAllTo('v1');
    // WHEN the caller reuses its object for something else
    options.match[0].headers['end-user'] = StringMatch.exact('mallory');
    options.to[0].subset = 'v3';
    // THEN the manifest is what was given at the call
    const vs = Testing.synth(chart).find((o) => o.kind === 'VirtualService' && o.metadata.name === 'reviews');
    expect(vs.spec.http[0]).toEqual({
      match: [{ headers: { 'end-user': { exact: 'jason' } } }],
      route: [{ destination: { host: 'reviews', subset: 'v2' } }],
    });
  });

  test('hosts and allow-lists changed after construction do not change the exposure', () => {
    // GIVEN
    const chart = chartOf();
    const bookinfo = new BookinfoApp(chart, 'bookinfo');
    const hosts = ['shop.example.com'];
    const allowedSourceRanges = ['203.0.113.0/24'];
    new ExposedService(chart, 'expose', { target: bookinfo.productpage, hosts, allowedSourceRanges });
    // WHEN
    hosts.push('*');
    allowedSourceRanges[0] = '0.0.0.0/0';
    // THEN
    const objects = Testing.synth(chart);
    const vs = objects.find((o) => o.kind === 'VirtualService');
    const policy = objects.find((o) => o.kind === 'AuthorizationPolicy');
    expect(vs.spec.hosts).toEqual(['shop.example.com']);
    expect(JSON.stringify(policy.spec)).toContain('203.0.113.0/24');
    expect(JSON.stringify(policy.spec)).not.toContain('0.0.0.0/0');
  });
});

describe('shared presets cannot be changed', () => {
  test.each([
    ['IngressGateway.ISTIOCTL.selector', () => ((IngressGateway.ISTIOCTL.selector as any).istio = 'x')],
    ['IngressGateway.HELM.namespace', () => ((IngressGateway.HELM as any).namespace = 'x')],
    ['IstioRelease.V1_30.networkingApiVersion', () => ((IstioRelease.V1_30 as any).networkingApiVersion = 'x')],
    ['IstioRelease.ALL', () => (IstioRelease.ALL as IstioRelease[]).push(IstioRelease.V1_17)],
    ['Percent.ALL.value', () => ((Percent.ALL as any).value = 1)],
    ['a StringMatch', () => ((StringMatch.exact('jason') as any).value = 'mallory')],
    [
      'StrictMtls.DESTINATION_TRAFFIC_POLICY',
      () => ((StrictMtls.DESTINATION_TRAFFIC_POLICY.tls as any).mode = 'DISABLE'),
    ],
    ['BookinfoScenario.ISTIO_API_SCENARIOS', () => (BookinfoScenario.ISTIO_API_SCENARIOS as string[]).pop()],
  ])('%s', (_name, change) => {
    // GIVEN a preset / WHEN a caller tries to change it / THEN it throws (strict mode), unchanged
    expect(change).toThrow(TypeError);
  });

  test('the presets still read as before', () => {
    expect(IngressGateway.ISTIOCTL.selector).toEqual({ istio: 'ingressgateway' });
    expect(IstioRelease.V1_30.networkingApiVersion).toBe('networking.istio.io/v1');
    expect(Percent.ALL.value).toBe(100);
    expect(StrictMtls.DESTINATION_TRAFFIC_POLICY).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
  });
});
