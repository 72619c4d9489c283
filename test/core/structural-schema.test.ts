import {
  kindSchema,
  manifestViolations,
  sameInJavaScript,
  SchemaViolation,
  StructuralSchema,
  validateStructural,
} from '../../lib/core/_structural-schema';

/** An object schema with one field `f` of schema `field`. */
const withField = (field: StructuralSchema): StructuralSchema => ({ type: 'object', properties: { f: field } });
const one = (path: string, value: unknown, problem: string, allowed: string): SchemaViolation[] => [
  { path, value, problem, allowed },
];

describe('validateStructural: each keyword, as the API server checks a custom resource', () => {
  const ISTIO_AT_MOST_ONE: StructuralSchema = {
    type: 'object',
    properties: { exact: { type: 'string' }, prefix: { type: 'string' }, regex: { type: 'string' } },
    oneOf: [
      { not: { anyOf: [{ required: ['exact'] }, { required: ['prefix'] }, { required: ['regex'] }] } },
      { required: ['exact'] },
      { required: ['prefix'] },
      { required: ['regex'] },
    ],
  };

  // Each row: the schema of field `f`, a value it allows, a value it refuses, and the violation (with the
  // value it quotes, when that is not the refused value: the number of items or entries).
  test.each<[string, StructuralSchema, unknown, unknown, string, string, unknown?]>([
    ['type integer (int32)', { type: 'integer', format: 'int32' }, 50, '50', 'is a string', 'an integer (int32)'],
    ['type integer refuses a fraction', { type: 'integer' }, 2, 2.5, 'is a number', 'an integer'],
    ['type number', { type: 'number' }, 0.5, true, 'is a boolean', 'a number'],
    ['type string', { type: 'string' }, 'x', 7, 'is an integer', 'a string'],
    ['type boolean', { type: 'boolean' }, false, 'false', 'is a string', 'true or false'],
    ['type array', { type: 'array' }, [], {}, 'is an object', 'an array'],
    ['type object', { type: 'object', additionalProperties: true }, {}, [], 'is an array', 'an object'],
    [
      'enum',
      { type: 'string', enum: ['TCP', 'UDP'] },
      'UDP',
      'tcp',
      'is not one of the values the schema allows',
      'one of "TCP", "UDP"',
    ],
    [
      'int32 range',
      { type: 'integer', format: 'int32' },
      2147483647,
      2147483648,
      'is out of range',
      'an integer (int32): -2147483648 to 2147483647',
    ],
    [
      'int64 range',
      { type: 'integer', format: 'int64' },
      2 ** 40,
      2 ** 60,
      'is out of range',
      'an integer (int64) that JSON numbers hold exactly: at most 2^53 - 1 in magnitude',
    ],
    ['minimum', { type: 'integer', minimum: 1 }, 1, 0, 'is too small', 'at least 1'],
    ['maximum', { type: 'integer', maximum: 100 }, 100, 101, 'is too large', 'at most 100'],
    ['exclusiveMinimum', { type: 'number', minimum: 0, exclusiveMinimum: true }, 0.1, 0, 'is too small', 'more than 0'],
    [
      'maxLength in code points (3 emoji are 6 UTF-16 units)',
      { type: 'string', maxLength: 3 },
      '😀😀😀',
      '😀😀😀😀',
      'is 4 characters long',
      'at most 3 characters',
    ],
    ['minLength', { type: 'string', minLength: 1 }, 'a', '', 'is 0 characters long', 'at least 1 characters'],
    [
      'pattern (RE2, unanchored as Go)',
      { type: 'string', pattern: '^[a-z]+$' },
      'abc',
      'ABC',
      'does not match the pattern of the schema',
      'a string matching ^[a-z]+$',
    ],
    [
      'pattern only RE2 parses, run on re2js',
      { type: 'string', pattern: '(?i)^abc$' },
      'ABC',
      'abd',
      'does not match the pattern of the schema',
      'a string matching (?i)^abc$',
    ],
    [
      'maxItems',
      { type: 'array', maxItems: 1 },
      [1],
      [1, 2],
      'items are more than the schema allows',
      'at most 1 items',
      2,
    ],
    [
      'minItems',
      { type: 'array', minItems: 1 },
      [1],
      [],
      'items are fewer than the schema allows',
      'at least 1 item',
      0,
    ],
    [
      'maxProperties',
      { type: 'object', additionalProperties: true, maxProperties: 1 },
      { a: 1 },
      { a: 1, b: 2 },
      'entries are more than the schema allows',
      'at most 1 entries',
      2,
    ],
    [
      'x-kubernetes-int-or-string',
      { 'x-kubernetes-int-or-string': true },
      'http',
      1.5,
      'is a number',
      'an integer or a string',
    ],
    [
      'quantity (Kubernetes kinds)',
      { 'x-bki-quantity': true },
      '500m',
      '5 GB',
      'is not a quantity',
      'a quantity: a number, or a string such as "500m" or "128Mi"',
    ],
    [
      'null without nullable',
      { type: 'string' },
      'x',
      null,
      'is null, which the API server drops from a custom resource',
      'a string',
    ],
    [
      'anyOf',
      { anyOf: [{ type: 'integer' }, { type: 'string' }] },
      80,
      true,
      'matches none of the alternatives',
      'one of: an integer; a string',
    ],
    [
      'not',
      { type: 'object', additionalProperties: true, not: { required: ['a'] } },
      {},
      { a: 1 },
      'has a shape the schema excludes',
      'not ("a" set)',
    ],
  ])('%s', (_name, field, valid, invalid, problem, allowed, quoted = invalid) => {
    // GIVEN an object schema with one field WHEN the field holds an allowed, then a refused value
    // THEN only the refused value is reported, naming the path, the value, the problem and what is allowed
    expect(validateStructural({ f: valid }, withField(field))).toEqual([]);
    expect(validateStructural({ f: invalid }, withField(field))).toEqual(one('f', quoted, problem, allowed));
  });

  test('an undeclared field is reported with the fields the schema has; preserve-unknown-fields and maps accept any', () => {
    // GIVEN an HTTP route schema with a misspelled `rewrite`
    const route: StructuralSchema = withField({
      type: 'object',
      properties: {
        rewrite: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        route: { type: 'array' },
      },
    });
    // WHEN / THEN
    expect(validateStructural({ f: { rewrit: { uri: '/' } } }, route)).toEqual(
      one(
        'f.rewrit',
        { uri: '/' },
        "is not a field of the schema: the API server drops it (kubectl apply's strict field validation refuses the object)",
        'one of the fields rewrite, route',
      ),
    );
    expect(validateStructural({ f: { rewrite: { anything: [1] } } }, route)).toEqual([]);
    const map = withField({ type: 'object', additionalProperties: { type: 'string' } });
    expect(validateStructural({ f: { 'a/b': 'x', c: 1 } }, map)).toEqual(one('f.c', 1, 'is an integer', 'a string'));
  });

  test('required fields, and keys that are not identifiers in the path', () => {
    const schema: StructuralSchema = withField({
      type: 'object',
      additionalProperties: { type: 'object', properties: { port: { type: 'integer' } }, required: ['port'] },
    });
    expect(validateStructural({ f: { 'a/b': {} } }, schema)).toEqual(
      one('f["a/b"].port', undefined, 'is required by the schema', 'an integer'),
    );
  });

  test("Istio's oneOf over required fields: at most one of them", () => {
    // GIVEN a StringMatch with two of its exclusive fields WHEN validated THEN both are named
    expect(validateStructural({ f: { prefix: '/' } }, withField(ISTIO_AT_MOST_ONE))).toEqual([]);
    expect(validateStructural({ f: {} }, withField(ISTIO_AT_MOST_ONE))).toEqual([]);
    expect(validateStructural({ f: { exact: '/a', prefix: '/' } }, withField(ISTIO_AT_MOST_ONE))).toEqual(
      one('f', { exact: '/a', prefix: '/' }, 'sets "exact" and "prefix"', 'at most one of "exact", "prefix", "regex"'),
    );
  });

  test('another oneOf: exactly one alternative', () => {
    const schema = withField({
      type: 'object',
      additionalProperties: true,
      oneOf: [{ required: ['a'] }, { required: ['b'] }],
    });
    expect(validateStructural({ f: { a: 1 } }, schema)).toEqual([]);
    expect(validateStructural({ f: { a: 1, b: 2 } }, schema)).toEqual(
      one('f', { a: 1, b: 2 }, 'matches 2 of the alternatives', 'exactly one of: "a" set; "b" set'),
    );
  });

  test('nullable, and null as "not set" for Kubernetes kinds', () => {
    const schema: StructuralSchema = { type: 'object', properties: { f: { type: 'string' } }, required: ['f'] };
    expect(validateStructural({ f: null }, withField({ type: 'string', nullable: true }))).toEqual([]);
    expect(validateStructural({ f: null }, withField({ type: 'string' }), { nullIsUnset: true })).toEqual([]);
    expect(validateStructural({ f: null }, schema, { nullIsUnset: true })).toEqual(
      one('f', undefined, 'is required by the schema', 'a string'),
    );
  });

  test('set and map lists refuse duplicates', () => {
    const set = withField({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' });
    expect(validateStructural({ f: ['a', 'a'] }, set)).toEqual(
      one('f[1]', 'a', 'repeats item 0', 'distinct items (a list of type set)'),
    );
    const map = withField({
      type: 'array',
      items: { type: 'object', additionalProperties: true },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
    expect(validateStructural({ f: [{ name: 'http' }, { name: 'grpc' }] }, map)).toEqual([]);
    expect(validateStructural({ f: [{ name: 'http' }, { name: 'http', port: 1 }] }, map)).toEqual(
      one(
        'f[1]',
        { name: 'http', port: 1 },
        'repeats the key (name) of item 0',
        'items with distinct name (a list of type map)',
      ),
    );
  });

  test('patterns that mean the same in JavaScript run as RegExps; the others on RE2', () => {
    expect(sameInJavaScript('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')).toBe(true);
    expect(sameInJavaScript('^a.b$')).toBe(false); // "." differs on \r
    expect(sameInJavaScript('\\s')).toBe(false); // JavaScript's is Unicode-wide
    expect(sameInJavaScript('(?i)abc')).toBe(false);
    expect(sameInJavaScript('[]a]')).toBe(false);
    expect(sameInJavaScript('a{')).toBe(false); // a literal in RE2, a syntax error with the u flag
  });
});

describe('the generated schemas', () => {
  test('every imported CRD version and the Kubernetes kinds the library emits; others have none', () => {
    expect(kindSchema('networking.istio.io/v1beta1', 'VirtualService')?.source).toBe(
      'CRD virtualservices.networking.istio.io (istio-1.17.1-networking-security.yaml)',
    );
    expect(kindSchema('networking.istio.io/v1', 'VirtualService')).toBeDefined();
    expect(kindSchema('gateway.networking.k8s.io/v1alpha2', 'TLSRoute')).toBeDefined();
    expect(kindSchema('apps/v1', 'Deployment')?.source).toMatch(/^kubernetes-models \d+\.\d+\.\d+$/);
    expect(kindSchema('example.com/v1', 'Widget')).toBeUndefined();
    expect(manifestViolations({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { x: 1 } })).toBeUndefined();
  });

  test('a Deployment: a misspelled container field and a string replica count', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', labels: { app: 'x' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'x' } },
        template: {
          metadata: { labels: { app: 'x' } },
          spec: {
            containers: [
              { name: 'x', image: 'i', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } } },
            ],
          },
        },
      },
    };
    expect(manifestViolations(deployment)).toEqual([]);
    const bad: any = structuredClone(deployment);
    bad.spec.replicas = 'two';
    bad.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    const violations = manifestViolations(bad)!;
    expect(violations.map((v) => [v.path, v.value, v.problem])).toEqual([
      ['spec.replicas', 'two', 'is a string'],
      [
        'spec.template.spec.containers[0].imagePullPolicyy',
        'Always',
        "is not a field of the schema: the API server drops it (kubectl apply's strict field validation refuses the object)",
      ],
    ]);
    expect(violations[1].allowed).toMatch(/^one of the fields args, command, env, .*imagePullPolicy, /);
  });

  test('a custom resource: metadata is ObjectMeta, apiVersion and kind are its own', () => {
    const vs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'r', lables: { a: 'b' } },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight: 100 }] }] },
    };
    expect(manifestViolations(vs)!.map((v) => v.path)).toEqual(['metadata.lables']);
  });
});

describe('null in a custom resource', () => {
  test('metadata is ObjectMeta, where null is "not set" (kubectl writes creationTimestamp: null); in the spec it is dropped', () => {
    const vs = (metadata: object, spec: object) => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata,
      spec,
    });
    expect(manifestViolations(vs({ name: 'r', creationTimestamp: null }, { hosts: ['reviews'] }))).toEqual([]);
    expect(manifestViolations(vs({ name: 'r' }, { hosts: ['reviews'], gateways: null }))).toEqual([
      {
        path: 'spec.gateways',
        value: null,
        problem: 'is null, which the API server drops from a custom resource',
        allowed: 'an array',
      },
    ]);
  });
});
