import { Duration, Testing } from 'cdk8s';

import { Waypoint } from '../../lib/ambient/waypoint';
import { IstioRelease } from '../../lib/core/istio-release';
import { jwksUriProblem, parseGoUrl } from '../../lib/security/_go-url';
import { RequestAuthentication } from '../../lib/security/request-authentication';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';
import { allSchemaErrors } from '../support/schema';

const JWKS_URI = 'https://raw.githubusercontent.com/istio/istio/release-1.30/security/tools/jwt/samples/jwks.json';
const JWKS =
  '{"keys":[{"e":"AQAB","kid":"k1","kty":"RSA","n":"xAE7eB6qugXyCAG3yhh7pkDkT65pHymX-P7KfIupjf59vsdo91bSP9C8H07pSAGQO1MV_xFj9VswgsCg4R6otmg5PV2He95lZdHtOcU5DXIg_pbhLdKXbi66GlVeK6ABZOUW3WYtnNHD-91gVuoeJT_DwtGGcp4ignkgXfkiEm4sw-4sfb4qdt5oLbyVpmW6x9cfa7vs2WTfURiCrBoUqgBo_-4WTiULmmHSGZHOjzwa8WtrtOQGsAFjIbno85jp6MnGGGZPYZbDAa_b3y5u-YpW7ypZrvD8BgtKVjgtQgZhLAGezMt0ua3DRrWnKqTZ0BJ_EyxOGuHJrLsn00fnMQ"}]}';

describe('RequestAuthentication', () => {
  test('the ingress gateway validates tokens (istio.io jwt task): every JwtRule field', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    // WHEN
    const ra = new RequestAuthentication(chart, 'ra', {
      name: 'jwt-example',
      namespace: 'istio-system',
      selector: { istio: 'ingressgateway' },
      jwtRules: [
        {
          issuer: 'testing@secure.istio.io',
          jwksUri: JWKS_URI,
          audiences: ['app', 'web'],
          fromHeaders: [{ name: 'x-jwt-assertion', prefix: 'Bearer ' }, { name: 'x-token' }],
          fromParams: ['my_token'],
          fromCookies: ['session'],
          forwardOriginalToken: true,
          outputClaimToHeaders: [{ header: 'x-jwt-group', claim: 'group' }],
          outputPayloadToHeader: 'x-jwt-payload',
          spaceDelimitedClaims: ['roles'],
          timeout: Duration.seconds(10),
        },
      ],
    });
    ra.addJwtRule({ issuer: 'other@example.com', jwks: JWKS });
    const objects = Testing.synth(chart);
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'RequestAuthentication',
        metadata: { name: 'jwt-example', namespace: 'istio-system' },
        spec: {
          selector: { matchLabels: { istio: 'ingressgateway' } },
          jwtRules: [
            {
              issuer: 'testing@secure.istio.io',
              audiences: ['app', 'web'],
              jwksUri: JWKS_URI,
              fromHeaders: [{ name: 'x-jwt-assertion', prefix: 'Bearer ' }, { name: 'x-token' }],
              fromParams: ['my_token'],
              fromCookies: ['session'],
              forwardOriginalToken: true,
              outputClaimToHeaders: [{ header: 'x-jwt-group', claim: 'group' }],
              outputPayloadToHeader: 'x-jwt-payload',
              spaceDelimitedClaims: ['roles'],
              timeout: '10s',
            },
            { issuer: 'other@example.com', jwks: JWKS },
          ],
        },
      },
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect([ra.name, ra.namespace, ra.requestAuthentication.kind]).toEqual([
      'jwt-example',
      'istio-system',
      'RequestAuthentication',
    ]);
    expect(ra.node.validate()).toEqual([]);
  });

  test('a service selector, targetRefs a waypoint; on 1.17 v1beta1; no rules fails validation', () => {
    const chart = chartOn(IstioRelease.V1_30);
    const waypoint = new Waypoint(chart, 'w', { name: 'waypoint', namespace: 'foo' });
    new RequestAuthentication(chart, 'svc', {
      name: 'httpbin',
      selector: { serviceName: 'httpbin', namespace: 'foo', port: 8000, versions: [] },
      jwtRules: [{ issuer: 'a' }],
    });
    new RequestAuthentication(chart, 'wp', { name: 'wp', targetRefs: [waypoint], jwtRules: [{ issuer: 'a' }] });
    const objects = Testing.synth(chart).slice(1);
    expect(objects.map((o) => [o.metadata, o.spec])).toEqual([
      [
        { name: 'httpbin', namespace: 'foo' },
        { selector: { matchLabels: { app: 'httpbin' } }, jwtRules: [{ issuer: 'a' }] },
      ],
      [
        { name: 'wp', namespace: 'foo' },
        {
          targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }],
          jwtRules: [{ issuer: 'a' }],
        },
      ],
    ]);
    expect(allSchemaErrors(objects)).toEqual([]);
    const old = chartOn(IstioRelease.V1_17);
    const empty = new RequestAuthentication(old, 'e', { name: 'e' });
    expect([empty.requestAuthentication.toJson()]).toEqual([
      {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'RequestAuthentication',
        metadata: { name: 'e', namespace: 'default' },
        spec: {},
      },
    ]);
    expect(empty.node.validate()).toEqual([
      'the RequestAuthentication "e" has no jwtRules and validates nothing: call addJwtRule()',
    ]);
  });

  test("jwksUri follows Go's net/url and istiod's ParseJwksURI, not WHATWG URL", () => {
    for (const ok of [
      'https://example.com/jwks.json',
      'http://example.com:8080/keys',
      'HTTPS://Example.COM/x',
      'https://example.com:99999/x', // Go checks no port range
      'https://[::1]:443/x',
      'https:example.com', // opaque: Go accepts it
      'https://user:pw@example.com/x?y#z',
      'https:///path', // no host: Go and istiod accept it
    ]) {
      expect([ok, jwksUriProblem(ok)]).toEqual([ok, undefined]);
    }
    for (const bad of [
      'example.com/jwks.json',
      'ftp://example.com/jwks',
      '://example.com',
      'https://example.com:80a/x',
      'https://exa mple.com/x',
      'https://example.com/%zz',
      'https://[::1/x',
      'https://example.com/\x7f',
      'https://ex{ample}.com/',
      'https://example.com:99999999999999999999/x',
    ]) {
      expect([bad, jwksUriProblem(bad)]).not.toEqual([bad, undefined]);
    }
    expect(parseGoUrl('https://a.example.com:8443/k')).toEqual({
      ok: true,
      scheme: 'https',
      host: 'a.example.com:8443',
      port: '8443',
      opaque: false,
    });
  });

  test('bad input is refused with path, field, value and what is allowed', () => {
    // GIVEN
    const chart = chartOn(IstioRelease.V1_30);
    const svc = { serviceName: 'httpbin', namespace: 'foo', port: 8000, versions: [] };
    const rule = (r: Record<string, unknown>) => ({ name: 'r', jwtRules: [{ issuer: 'i', ...r }] });
    const cases: [Record<string, unknown>, string, unknown][] = [
      [{ name: 'Bad' }, 'name', 'Bad'],
      [{ name: 'r', selector: { app: 'a' }, targetRefs: [svc] }, 'targetRefs', '<given with selector>'],
      [{ name: 'r', selector: {} }, 'selector', {}],
      [{ name: 'r', selector: svc, namespace: 'bar' }, 'selector.namespace', 'foo'],
      [{ name: 'r', targetRefs: [] }, 'targetRefs', []],
      [{ name: 'r', jwtRules: 'x' }, 'jwtRules', 'x'],
      [{ name: 'r', jwtRules: [null] }, 'jwtRules[0]', null],
      [{ name: 'r', jwtRules: [{}] }, 'jwtRules[0].issuer', undefined],
      [{ name: 'r', jwtRules: [{ issuer: 'i' }, { issuer: 'i' }] }, 'jwtRules[1].issuer', 'i'],
      [rule({ jwksUri: 'ftp://x' }), 'jwtRules[0].jwksUri', 'ftp://x'],
      [rule({ jwksUri: '' }), 'jwtRules[0].jwksUri', ''],
      [rule({ jwksUri: `https://x/${'a'.repeat(2048)}` }), 'jwtRules[0].jwksUri', `https://x/${'a'.repeat(2048)}`],
      [rule({ jwksUri: 'https://x', jwks: JWKS }), 'jwtRules[0].jwks', '<given with jwksUri>'],
      [rule({ jwks: '{"keys":[]}' }), 'jwtRules[0].jwks', '{"keys":[]}'],
      [rule({ jwks: 'not json' }), 'jwtRules[0].jwks', 'not json'],
      [rule({ audiences: [] }), 'jwtRules[0].audiences', []],
      [rule({ audiences: [''] }), 'jwtRules[0].audiences[0]', ''],
      [rule({ fromHeaders: [{ name: '' }] }), 'jwtRules[0].fromHeaders[0].name', ''],
      [rule({ fromHeaders: [{ name: 'a b' }] }), 'jwtRules[0].fromHeaders[0].name', 'a b'],
      [rule({ fromHeaders: [{ name: 'a', prefix: 1 }] }), 'jwtRules[0].fromHeaders[0].prefix', 1],
      [rule({ fromParams: [''] }), 'jwtRules[0].fromParams[0]', ''],
      [rule({ fromCookies: [''] }), 'jwtRules[0].fromCookies[0]', ''],
      [rule({ forwardOriginalToken: 'yes' }), 'jwtRules[0].forwardOriginalToken', 'yes'],
      [
        rule({ outputClaimToHeaders: [{ header: 'x.y', claim: 'c' }] }),
        'jwtRules[0].outputClaimToHeaders[0].header',
        'x.y',
      ],
      [rule({ outputClaimToHeaders: [{ header: 'x', claim: '' }] }), 'jwtRules[0].outputClaimToHeaders[0].claim', ''],
      [rule({ outputPayloadToHeader: 'a b' }), 'jwtRules[0].outputPayloadToHeader', 'a b'],
      [rule({ spaceDelimitedClaims: Array(65).fill('s') }), 'jwtRules[0].spaceDelimitedClaims', Array(65).fill('s')],
      [rule({ timeout: Duration.millis(0) }), 'jwtRules[0].timeout', '0ms'],
    ];
    cases.forEach(([props, field, value], i) => {
      // WHEN / THEN
      const e = invalidInputOf(() => new RequestAuthentication(chart, `c${i}`, props as never));
      expect([e.constructPath, e.field, e.value]).toEqual([`test/c${i}`, field, value]);
      expect(e.allowed.length).toBeGreaterThan(0);
    });
    const e = invalidInputOf(
      () => new RequestAuthentication(chartOn(IstioRelease.V1_17), 'old', { name: 'p', targetRefs: [svc] }),
    );
    expect([e.field, e.value]).toEqual(['targetRefs', 'Istio 1.17']);
    for (const key of ['fromCookies', 'spaceDelimitedClaims', 'timeout']) {
      const value = key === 'timeout' ? Duration.seconds(1) : ['x'];
      const eOld = invalidInputOf(
        () =>
          new RequestAuthentication(chartOn(IstioRelease.V1_17), `old-${key}`, {
            name: 'p',
            jwtRules: [{ issuer: 'i', [key]: value }],
          }),
      );
      expect([eOld.field, eOld.value]).toEqual([`jwtRules[0].${key}`, 'Istio 1.17']);
    }
    const ra = new RequestAuthentication(chart, 'later', { name: 'later' });
    const e2 = invalidInputOf(() => ra.addJwtRule({ issuer: '' }));
    expect([e2.field, e2.value]).toEqual(['addJwtRule(jwtRules[0]).issuer', '']);
  });
});
