import { imageTagProblem, parseImageReference } from '../../lib/core/_image-reference';

const SHA256 = 'sha256:' + 'a'.repeat(64);

describe("parseImageReference: the kubelet's grammar (distribution/reference ParseNormalizedNamed)", () => {
  test.each([
    ['nginx', { domain: 'docker.io', path: 'library/nginx' }],
    ['nginx:1.27', { domain: 'docker.io', path: 'library/nginx', tag: '1.27' }],
    ['curlimages/curl:8.16.0', { domain: 'docker.io', path: 'curlimages/curl', tag: '8.16.0' }],
    ['docker.io/ubuntu', { domain: 'docker.io', path: 'library/ubuntu' }],
    ['index.docker.io/istio/proxyv2', { domain: 'docker.io', path: 'istio/proxyv2' }],
    [
      'registry.istio.io/release/examples-bookinfo-productpage-v1:1.20.3',
      { domain: 'registry.istio.io', path: 'release/examples-bookinfo-productpage-v1', tag: '1.20.3' },
    ],
    ['localhost/app', { domain: 'localhost', path: 'app' }],
    ['registry:5000/team/app:v1', { domain: 'registry:5000', path: 'team/app', tag: 'v1' }],
    ['[::1]:5000/app', { domain: '[::1]:5000', path: 'app' }],
    ['10.0.0.1/app', { domain: '10.0.0.1', path: 'app' }],
    // an uppercase first segment is a registry host (hosts may be uppercase)
    ['Registry.Example.com/app', { domain: 'Registry.Example.com', path: 'app' }],
    // separators: one ".", one or two "_", any number of "-"
    ['a/b.c/d_e/f__g/h---i', { domain: 'docker.io', path: 'a/b.c/d_e/f__g/h---i' }],
    [`app@${SHA256}`, { domain: 'docker.io', path: 'library/app', digest: SHA256 }],
    [
      `ghcr.io/acme/app:1.0@sha512:${'0'.repeat(128)}`,
      { domain: 'ghcr.io', path: 'acme/app', tag: '1.0', digest: `sha512:${'0'.repeat(128)}` },
    ],
    ['app:_Tag.1-x', { domain: 'docker.io', path: 'library/app', tag: '_Tag.1-x' }],
    [`app:${'t'.repeat(128)}`, { domain: 'docker.io', path: 'library/app', tag: 't'.repeat(128) }],
    [`${'a'.repeat(247)}`, { domain: 'docker.io', path: `library/${'a'.repeat(247)}` }],
  ])('%s is accepted', (value, expected) => {
    // GIVEN a reference the kubelet pulls WHEN parsed THEN it splits as the runtime splits it
    expect(parseImageReference(value)).toEqual({ tag: undefined, digest: undefined, ...expected });
  });

  test.each([
    ['', 'the reference is empty'],
    [' nginx', 'the reference contains whitespace'],
    ['nginx:1.0 ', 'the reference contains whitespace'],
    ['ngi\u00f1x', 'the reference contains "\u00f1", which no part of it allows'],
    ['Nginx', 'the repository "Nginx" must be lowercase'],
    ['acme/Cart:1.0', 'the repository "acme/Cart" must be lowercase'],
    ['ghcr.io/Acme/cart', 'the repository "Acme/cart" must be lowercase'],
    ['ghcr.io//cart', 'an empty path component ("//", or "/" at the start or end of the repository)'],
    ['acme/cart/', 'an empty path component ("//", or "/" at the start or end of the repository)'],
    ['docker.io/', 'an empty path component ("//", or "/" at the start or end of the repository)'],
    ['nginx:', 'the tag is empty'],
    ['nginx:-1', 'a tag is letters, digits, "_", "." and "-", not starting with "." or "-"'],
    [`nginx:${'t'.repeat(129)}`, 'the tag has 129 characters (at most 128)'],
    [
      'acme/.cart',
      'the path component ".cart" is not lowercase letters and digits joined by one ".", one or two "_", or dashes',
    ],
    [
      'acme/a..b',
      'the path component "a..b" is not lowercase letters and digits joined by one ".", one or two "_", or dashes',
    ],
    [
      'acme/a___b',
      'the path component "a___b" is not lowercase letters and digits joined by one ".", one or two "_", or dashes',
    ],
    [
      '-registry.io/app',
      'the registry "-registry.io" is not a host name (letters, digits, "-" and "."), IPv4 or [IPv6] address, with an optional :port',
    ],
    [
      'registry.io:port/app',
      'the registry "registry.io:port" is not a host name (letters, digits, "-" and "."), IPv4 or [IPv6] address, with an optional :port',
    ],
    [`${'a'.repeat(248)}`, 'the repository path has 256 characters (at most 255)'],
    ['a'.repeat(64).replace(/a/g, 'f'), 'a 64-character hexadecimal string is an image ID, not a reference'],
    [
      'app@md5:' + 'a'.repeat(32),
      'the digest "md5:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is not sha256:, sha384: or sha512: followed by hexadecimal digits',
    ],
    ['app@sha256:' + 'A'.repeat(64), 'a sha256 digest is 64 lowercase hexadecimal digits'],
    ['app@sha256:abc', 'a sha256 digest is 64 lowercase hexadecimal digits'],
    ['app@', 'the digest "" is not sha256:, sha384: or sha512: followed by hexadecimal digits'],
    [':1.0', 'the repository name is empty'],
  ])('%j is refused: %s', (value, reason) => {
    // GIVEN a reference the kubelet reports as InvalidImageName WHEN parsed THEN the reason is named
    expect(parseImageReference(value)).toBe(reason);
  });

  test('a hostile 100 000-character reference is judged quickly', () => {
    // GIVEN a long path component that fails at its very end WHEN parsed THEN no backtracking blow-up
    const started = Date.now();
    expect(parseImageReference(`acme/${'a-'.repeat(50_000)}`)).toMatch(/at most 255/);
    expect(parseImageReference(`${'a.'.repeat(50_000)}-/x`)).toMatch(/is not a host name/);
    expect(Date.now() - started).toBeLessThan(500);
  });

  test('imageTagProblem judges a tag alone', () => {
    // GIVEN tags WHEN judged THEN only the grammar's pass
    expect(imageTagProblem('1.30.9')).toBeUndefined();
    expect(imageTagProblem(12 as unknown as string)).toBe('the tag is not a string');
    expect(imageTagProblem('.1')).toMatch(/not starting with/);
  });
});
