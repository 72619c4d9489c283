/**
 * Any JavaScript value for any prop of any construct gives valid output or a clear error, never a
 * TypeError: fast-check feeds every public construct arbitrary values (anything(), objects with
 * prototype keys, forged class instances, and props that follow the declared shape with one field
 * replaced), builds the construct and synthesizes its chart.
 */
import { App, Chart, Duration, Size, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import * as lib from '../../lib';
import { Shape, TypeShape } from '../../lib/core/_props-shape-types';
import { PROPS_SHAPES } from '../../lib/core/_props-shapes.generated';
import { collectWarnings } from '../support/quiet';

// Reproduce a failure with FC_SEED=<seed printed by fast-check> (and FC_PATH=<path>).
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const PATH = process.env.FC_PATH;
const RUNS = 1200;

type Build = (chart: Chart) => unknown;

const CONSTRUCTS = Object.keys(PROPS_SHAPES.entries).filter((entry) => !entry.includes('.'));

// ---------- values that are real things of the library, made in the case's chart ----------

let counter = 0;
const unique = (prefix: string) => `${prefix}-${counter++}`;
const reviews = { serviceName: 'reviews', namespace: 'default', port: 9080, versions: ['v1', 'v2'] };

/** A real instance per referenced type, so that generated props get past the references. */
const REAL: Record<string, Build> = {
  IMeshService: () => reviews,
  IstioRelease: () => lib.IstioRelease.V1_30,
  IngressGateway: () => lib.IngressGateway.ISTIOCTL,
  Percent: () => lib.Percent.of(50),
  StringMatch: () => lib.StringMatch.exact('jason'),
  ServiceEntry: (chart) =>
    new lib.ServiceEntry(chart, unique('se'), {
      name: unique('ext'),
      hosts: ['api.example.com'],
      ports: [{ number: 443, name: 'https', protocol: 'TLS' }],
    }),
  SharedGateway: (chart) => new lib.SharedGateway(chart, unique('gw'), { name: unique('gw'), namespace: 'default' }),
  IGateway: (chart) => new lib.SharedGateway(chart, unique('gw'), { name: unique('gw'), namespace: 'default' }),
  KubernetesGateway: (chart) =>
    new lib.KubernetesGateway(chart, unique('kgw'), {
      name: unique('kgw'),
      listeners: [{ name: 'http', port: 80, protocol: lib.ListenerProtocol.HTTP }],
    }),
};
REAL.IKubernetesGateway = REAL.KubernetesGateway;

// ---------- hostile values ----------

/** Objects whose keys JSON serialization drops or that shadow Object's own members. */
const prototypeKeyed: fc.Arbitrary<Build> = fc
  .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.anything({ maxDepth: 1 }))
  .map(
    ([key, value]) =>
      () =>
        JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value ?? null) ?? 'null'}}`),
  );

/** Objects made to look like the library's classes (or cdk8s's) without being one. */
const forged: fc.Arbitrary<Build> = fc.constantFrom<Build>(
  () => Object.create(lib.Percent.prototype),
  () => Object.create(lib.StringMatch.prototype),
  () => Object.create(lib.IngressGateway.prototype),
  () => Object.create(Duration.prototype),
  () => Object.create(Size.prototype),
  () => ({ value: 'fifty' }),
  () => ({ kind: 'exact', value: 42 }),
  () => ({ toMilliseconds: () => NaN }),
  () => ({ toMilliseconds: () => -1 }),
  () => ({ node: { path: 42 } }),
  () => ({ selector: { istio: 'ingressgateway' } }),
  () => ({ serviceName: 'reviews' }),
  () => ({ ...reviews, versions: 'v1' }),
  () => new Proxy({}, { get: () => 'x' }),
  () => ({
    get namespace(): string {
      throw new TypeError('a getter that throws');
    },
  }),
);

const anyValue: fc.Arbitrary<Build> = fc
  .anything({ maxDepth: 2, maxKeys: 4, withNullPrototype: true, withMap: true, withSet: true, withDate: true })
  .map((v) => () => v);

const hostile: fc.Arbitrary<Build> = fc.oneof(
  { weight: 3, arbitrary: anyValue },
  { weight: 1, arbitrary: prototypeKeyed },
  { weight: 1, arbitrary: forged },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Build>(
      () => null,
      () => undefined,
      () => 'v1',
      () => [],
      () => 0,
    ),
  },
);

// ---------- values that follow the declared shape ----------

// Mostly values a field could take, so that cases get past the first check; sometimes not.
const STRINGS = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('reviews', 'v1', 'default', 'shop.example.com') },
  { weight: 1, arbitrary: fc.constantFrom('', 'Bad Name', '*', 'a/b', 'mesh', '10.0.0.0/8', '__proto__') },
);
const NUMBERS = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(1, 80, 443, 9080) },
  { weight: 1, arbitrary: fc.constantFrom(0, 15001, -1, 1.5, 65536, NaN, Infinity) },
);

function shaped(shape: Shape, depth: number): fc.Arbitrary<Build> {
  if (shape === 'string') return STRINGS.map((s) => () => s);
  if (shape === 'number') return NUMBERS.map((n) => () => n);
  if (shape === 'boolean') return fc.boolean().map((b) => () => b);
  if (shape === 'function') return fc.constant(() => () => undefined);
  if (shape === 'any') return anyValue;
  if ('lit' in shape)
    return shape.lit.length === 0 ? fc.constant(() => undefined) : fc.constantFrom(...shape.lit).map((l) => () => l);
  if (depth > 3) return fc.constant(() => undefined);
  if ('arr' in shape) {
    return fc
      .array(shaped(shape.arr, depth + 1), { maxLength: 2 })
      .map((items) => (chart: Chart) => items.map((b) => b(chart)));
  }
  if ('map' in shape) {
    return fc
      .array(fc.tuple(fc.constantFrom('app', 'version', 'x-user', '8080', 'Bad Key'), shaped(shape.map, depth + 1)), {
        maxLength: 2,
      })
      .map((entries) => (chart: Chart) => Object.fromEntries(entries.map(([k, b]) => [k, b(chart)])));
  }
  if ('union' in shape) return fc.oneof(...shape.union.map((m) => shaped(m, depth + 1)));
  if ('ext' in shape) {
    if (shape.ext === 'Duration') return fc.constantFrom(0, 1, 250, 30_000, 0.5).map((ms) => () => Duration.millis(ms));
    if (shape.ext === 'Size') return fc.constantFrom(1, 20, 0.5).map((g) => () => Size.gibibytes(g));
    if (shape.ext === 'construct') return fc.constant((chart: Chart) => chart);
    return fc.constant(() => ({}));
  }
  const name = 'ref' in shape ? shape.ref : undefined;
  if (name && REAL[name])
    return fc.oneof({ weight: 4, arbitrary: fc.constant(REAL[name]) }, { weight: 1, arbitrary: hostile });
  const type: TypeShape | undefined = 'ref' in shape ? PROPS_SHAPES.types[shape.ref] : shape.obj;
  if (!type || type.kind === 'reference') return hostile;
  return objectOf(type, depth + 1);
}

function objectOf(type: TypeShape, depth: number): fc.Arbitrary<Build> {
  const fields = Object.entries(type.props).map(([key, [shape, optional]]) => {
    const value = shaped(shape, depth);
    // Optional fields are mostly left out: each one set is one more way for the case to be refused early.
    return fc.tuple(fc.constant(key), optional ? fc.option(value, { nil: undefined, freq: 6 }) : value);
  });
  return fc.tuple(...fields).map((entries) => (chart: Chart) => {
    const out: Record<string, unknown> = {};
    for (const [key, build] of entries) if (build) out[key] = build(chart);
    return out;
  });
}

/** Props that follow the declared shape, then (usually) one field replaced by a hostile value. */
function propsFor(construct: string): fc.Arbitrary<Build> {
  const [, shape] = PROPS_SHAPES.entries[construct][0];
  const type = typeof shape === 'object' && 'ref' in shape ? PROPS_SHAPES.types[shape.ref] : undefined;
  if (!type) return hostile;
  const keys = Object.keys(type.props);
  return fc
    .tuple(objectOf(type, 0), fc.option(fc.tuple(fc.constantFrom(...keys), hostile), { freq: 2 }))
    .map(([base, mutation]) => (chart: Chart) => {
      const props = base(chart) as Record<string, unknown>;
      if (mutation) props[mutation[0]] = mutation[1](chart);
      return props;
    });
}

const caseArb = fc
  .constantFrom(...CONSTRUCTS)
  .chain((construct) =>
    fc.tuple(
      fc.constant(construct),
      fc.oneof({ weight: 1, arbitrary: hostile }, { weight: 3, arbitrary: propsFor(construct) }),
    ),
  );

// ---------- the property ----------

/** What a case ended in: built and synthesized, or refused with a clear error. */
function outcome(construct: string, build: Build, outdir: string): string {
  const app = new App({ outdir });
  collectWarnings(app);
  const chart = new Chart(app, 'test');
  let props: unknown;
  try {
    props = build(chart);
  } catch (error) {
    // Making a real reference (a ServiceEntry for the props) failed: not the case under test.
    return `setup: ${(error as Error).name}`;
  }
  const Construct = (lib as unknown as Record<string, new (s: Chart, id: string, p: unknown) => unknown>)[construct];
  try {
    new Construct(chart, 'subject', props);
    Testing.synth(chart);
    return 'synthesized';
  } catch (error) {
    const e = error as Error;
    if (e instanceof lib.InvalidInputError) {
      if (!e.message.startsWith('[test') || e.field === '' || !/ is not allowed; expected \S/.test(e.message)) {
        return `unclear InvalidInputError: ${e.message}`;
      }
      return 'refused';
    }
    // What only the whole chart shows (the mesh analysis, a construct left incomplete) comes through
    // cdk8s's validation, every line naming the construct path.
    const lines = e.message
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '');
    if (
      /^Validation failed/.test(e.message) &&
      lines.length > 0 &&
      lines.every((l) => /^\s*\[test\//.test(l) || /^\s*\[MeshAnalysis\] BKI-[A-Z0-9-]+ /.test(l))
    ) {
      return 'refused at validation';
    }
    return `${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 4).join('\n')}`;
  }
}

describe('hostile props', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-props-'));
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test(`${RUNS} arbitrary props for the ${CONSTRUCTS.length} constructs give output or a clear error, never a crash`, () => {
    const seen: Record<string, number> = {};
    fc.assert(
      fc.property(caseArb, ([construct, build]) => {
        const result = outcome(construct, build, outdir);
        const kind = result.split(':')[0];
        seen[kind] = (seen[kind] ?? 0) + 1;
        // THEN (one expect per run: a run is a few ms, and each expect() costs)
        if (!['synthesized', 'refused', 'refused at validation', 'setup'].includes(kind)) {
          expect({ construct, result }).toEqual({ construct, result: 'synthesized or refused' });
        }
      }),
      { numRuns: RUNS, seed: SEED, path: PATH },
    );
    // Every kind of ending occurs, so the generator reaches past the first check.
    expect(Object.keys(seen).sort()).toEqual(expect.arrayContaining(['refused', 'synthesized']));
  }, 60_000);

  test('every public construct class is in the property (its props have a shape)', () => {
    // GIVEN the exported classes that are constructs (MeshAnalysis and MeshService are made by
    // static methods: MeshAnalysis.of(), MeshService.fromAttributes(), whose arguments are checked)
    const constructs = Object.entries(lib)
      .filter(([, v]) => typeof v === 'function' && v.prototype instanceof Construct)
      .map(([name]) => name)
      .filter((name) => !['MeshAnalysis', 'MeshService'].includes(name));
    // THEN
    expect(constructs.length).toBeGreaterThanOrEqual(38);
    expect(CONSTRUCTS).toEqual(expect.arrayContaining(constructs));
  });
});
