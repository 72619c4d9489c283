/**
 * Writes lib/core/_props-shapes.generated.ts: the shape of every public construct's props and of the
 * arguments of the public methods listed in CHECKED_METHODS, read from the TypeScript declarations
 * with the compiler API. Constructs check what JavaScript callers (no type checker) pass against it
 * (lib/core/_props-check.ts), so a wrong type is an InvalidInputError naming the field, never a
 * TypeError deep inside a construct.
 *
 * Run: `npm run props:shapes`. `npm run lint` runs it with `--check`, which fails when the committed
 * file differs from what the declarations give.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

import type { Shape, ShapeTable, TypeShape } from '../lib/core/_props-shape-types';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'lib', 'core', '_props-shapes.generated.ts');

/**
 * Public methods whose arguments are checked, as `Class.method` (instance) or `Class.static.method`.
 * Constructors of constructs are always included (`Class`).
 */
export const CHECKED_METHODS: readonly string[] = [
  'VersionRouting.addRoute',
  'VersionRouting.addSubset',
  'VersionRouting.routeAllTo',
  'VersionRouting.splitTraffic',
  'VersionRouting.addTcpRoute',
  'VersionRouting.addTlsRoute',
  'VersionRouting.routeHeaderTo',
  'KubernetesGateway.addListener',
  'RequestAuthentication.addJwtRule',
  'SharedGateway.referenceFrom',
  'PrometheusStorage.static.persistentVolumeClaim',
  'JaegerStorage.static.memory',
  'ResponseBody.static.text',
  'ResponseBody.static.bytes',
  'PathReplacement.static.full',
  'PathReplacement.static.prefix',
  'ExposedService.addRoute',
  'AuthorizationPolicy.addRule',
  'SharedGateway.addServer',
  'Percent.static.of',
  'StringMatch.static.exact',
  'StringMatch.static.prefix',
  'StringMatch.static.regex',
  'IngressGateway.static.custom',
  'MeshService.static.fromAttributes',
  'MeshService.static.fromService',
];

/** Types from other packages: checked by what the library needs of them, not by their declarations. */
const EXTERNAL: Record<string, Shape> = {
  Duration: { ext: 'Duration' },
  Size: { ext: 'Size' },
  IConstruct: { ext: 'construct' },
  Construct: { ext: 'construct' },
  Chart: { ext: 'construct' },
  App: { ext: 'construct' },
  ApiObject: { ext: 'construct' },
};

function main(): void {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, ROOT);
  const program = ts.createProgram([path.join(ROOT, 'lib', 'index.ts')], { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(ROOT, 'lib', 'index.ts'));
  if (!index) throw new Error('lib/index.ts not found');
  const moduleSymbol = checker.getSymbolAtLocation(index)!;

  const types: Record<string, TypeShape> = {};
  const entries: Record<string, ShapeTable['entries'][string]> = {};
  const names = new Map<ts.Symbol, string>();
  const inProgress = new Set<ts.Type>();

  const isLibDeclaration = (symbol: ts.Symbol | undefined): boolean =>
    (symbol?.declarations ?? []).some((d) => {
      const file = path.relative(ROOT, d.getSourceFile().fileName);
      return file.startsWith('lib' + path.sep) || file.startsWith('imports' + path.sep);
    });

  const nameFor = (symbol: ts.Symbol): string => {
    const known = names.get(symbol);
    if (known) return known;
    let name = symbol.getName();
    for (let i = 2; Object.values(Object.fromEntries(names)).includes(name) || [...names.values()].includes(name); i++)
      name = `${symbol.getName()}${i}`;
    names.set(symbol, name);
    return name;
  };

  const literalOf = (t: ts.Type): string | number | boolean | null | undefined => {
    if (t.isStringLiteral() || t.isNumberLiteral()) return t.value;
    if (t.flags & ts.TypeFlags.BooleanLiteral) return checker.typeToString(t) === 'true';
    if (t.flags & ts.TypeFlags.Null) return null;
    return undefined;
  };

  function shapeOf(t: ts.Type): Shape {
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter)) return 'any';
    if (t.flags & ts.TypeFlags.Never) return { lit: [] };
    if (t.isUnion()) {
      const members = t.types.filter((m) => !(m.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
      const literals = members.map(literalOf);
      if (literals.every((l) => l !== undefined)) {
        const values = literals as (string | number | boolean | null)[];
        if (values.length === 2 && values.includes(true) && values.includes(false)) return 'boolean';
        // An enum's members are named as users write them (ServerProtocol.HTTP).
        const enumOf = (m: ts.Type) =>
          m.flags & ts.TypeFlags.EnumLiteral
            ? (m.getSymbol() as { parent?: ts.Symbol } | undefined)?.parent
            : undefined;
        const parent = enumOf(members[0]);
        if (parent && members.every((m) => enumOf(m) === parent)) {
          return { lit: values, names: members.map((m) => `${parent.getName()}.${m.getSymbol()!.getName()}`) };
        }
        return { lit: values };
      }
      const shapes: Shape[] = [];
      let sawTrue = false;
      let sawFalse = false;
      for (const m of members) {
        const l = literalOf(m);
        if (l === true) sawTrue = true;
        else if (l === false) sawFalse = true;
        else shapes.push(shapeOf(m));
      }
      if (sawTrue && sawFalse) shapes.push('boolean');
      else if (sawTrue) shapes.push({ lit: [true] });
      else if (sawFalse) shapes.push({ lit: [false] });
      // merge literal members into one
      const lits = shapes.filter(
        (s): s is { lit: (string | number | boolean | null)[] } => typeof s === 'object' && 'lit' in s,
      );
      const rest = shapes.filter((s) => !(typeof s === 'object' && 'lit' in s));
      const merged: Shape[] = lits.length > 0 ? [{ lit: lits.flatMap((l) => l.lit) }, ...rest] : rest;
      if (merged.includes('any')) return 'any';
      return merged.length === 1 ? merged[0] : { union: merged };
    }
    const literal = literalOf(t);
    if (literal !== undefined) return { lit: [literal] };
    if (t.flags & ts.TypeFlags.StringLike) return 'string';
    if (t.flags & ts.TypeFlags.NumberLike) return 'number';
    if (t.flags & ts.TypeFlags.BooleanLike) return 'boolean';
    if (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return { lit: [] };
    if (t.flags & ts.TypeFlags.Null) return { lit: [null] };
    if (checker.isArrayType(t)) return { arr: shapeOf(checker.getTypeArguments(t as ts.TypeReference)[0]) };
    if (checker.isTupleType(t)) return { arr: { union: checker.getTypeArguments(t as ts.TypeReference).map(shapeOf) } };
    if (t.flags & ts.TypeFlags.Object || t.isIntersection()) return objectShape(t);
    return 'any';
  }

  const isTypeScriptLib = (symbol: ts.Symbol | undefined): boolean =>
    (symbol?.declarations ?? []).some((d) => /[\\/]typescript[\\/]lib[\\/]/.test(d.getSourceFile().fileName));

  function objectShape(t: ts.Type): Shape {
    // Record<K, V>, Readonly<T>, Partial<T>: what they resolve to, not the alias of TypeScript's lib.
    const alias = t.aliasSymbol && !isTypeScriptLib(t.aliasSymbol) ? t.aliasSymbol : undefined;
    const own = t.getSymbol();
    // TypeScript's own classes (Uint8Array, Date, Map) are objects to the check; its mapped types
    // (`__type`) are read by their structure.
    if (!alias && own && isTypeScriptLib(own) && own.getName() !== '__type') return { ext: 'object' };
    const symbol = alias ?? (own && !isTypeScriptLib(own) ? own : undefined);
    const external = symbol && !isLibDeclaration(symbol) ? EXTERNAL[symbol.getName()] : undefined;
    if (external) return external;
    if (symbol && !isLibDeclaration(symbol) && symbol.getName() !== '__type' && symbol.getName() !== '__object') {
      // Another package's type (cdk8s-plus, constructs): an object; its own code checks the rest.
      if (t.getCallSignatures().length > 0) return 'function';
      // A class (a cdk8s-plus KubeService) is any object; an interface (k8s.ResourceRequirements) is data.
      return symbol.flags & ts.SymbolFlags.Class ? { ext: 'object' } : { ext: 'struct' };
    }
    const properties = checker.getPropertiesOfType(t);
    if (t.getCallSignatures().length > 0 && properties.length === 0) return 'function';
    // Maps keyed by name or by number (`Record<number, MtlsMode>`: keys are strings at run time).
    const stringIndex =
      checker.getIndexInfoOfType(t, ts.IndexKind.String) ?? checker.getIndexInfoOfType(t, ts.IndexKind.Number);
    if (stringIndex && properties.length === 0) return { map: shapeOf(stringIndex.type) };
    const named =
      symbol && symbol.getName() !== '__type' && symbol.getName() !== '__object' && isLibDeclaration(symbol);
    if (!named) {
      if (inProgress.has(t)) return 'any';
      inProgress.add(t);
      try {
        return { obj: typeShape(t, properties, stringIndex) };
      } finally {
        inProgress.delete(t);
      }
    }
    const isGeneric = (t as ts.TypeReference).typeArguments?.length || t.aliasTypeArguments?.length;
    const key = isGeneric ? `${nameFor(symbol!)}<${checker.typeToString(t)}>` : nameFor(symbol!);
    if (!(key in types)) {
      types[key] = { kind: 'object', props: {} }; // placeholder against recursion
      types[key] = typeShape(t, properties, stringIndex);
    }
    return { ref: key };
  }

  function typeShape(t: ts.Type, properties: ts.Symbol[], stringIndex: ts.IndexInfo | undefined): TypeShape {
    const symbol = t.getSymbol();
    const isClass = !!symbol && (symbol.flags & ts.SymbolFlags.Class) !== 0;
    const isReference =
      isClass || (!!symbol && /^I[A-Z]/.test(symbol.getName()) && !!(symbol.flags & ts.SymbolFlags.Interface));
    const props: Record<string, [Shape, 0 | 1]> = {};
    for (const p of properties) {
      const declaration = p.valueDeclaration ?? p.declarations?.[0];
      if (!declaration) continue;
      const modifiers = ts.getCombinedModifierFlags(declaration as ts.Declaration);
      if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      if (p.getName().startsWith('_') || p.getName().startsWith('#')) continue;
      // What a class inherits from another package (Construct's node, with(), toString()) is that package's.
      if (!isLibDeclaration(p)) continue;
      const type = checker.getTypeOfSymbolAtLocation(p, declaration);
      const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
      const isMethod = (p.flags & ts.SymbolFlags.Method) !== 0;
      // Members that constructs read are what is checked; methods only need to exist.
      props[p.getName()] = [isMethod ? 'function' : shapeOf(type), optional ? 1 : 0];
    }
    const shape: TypeShape = { kind: isReference ? 'reference' : 'object', props };
    if (stringIndex) shape.index = shapeOf(stringIndex.type);
    return shape;
  }

  const publicSymbols = checker
    .getExportsOfModule(moduleSymbol)
    .map((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s));
  const wanted = new Set(CHECKED_METHODS);
  for (const symbol of publicSymbols.sort((a, b) => a.getName().localeCompare(b.getName()))) {
    if (!(symbol.flags & ts.SymbolFlags.Class)) continue;
    const className = symbol.getName();
    const declaration = symbol.declarations?.find(ts.isClassDeclaration);
    if (!declaration) continue;
    for (const member of declaration.members) {
      if (ts.isConstructorDeclaration(member)) {
        const modifiers = ts.getCombinedModifierFlags(member);
        const params = member.parameters;
        const isConstruct = params.length >= 2 && params[0].type?.getText() === 'Construct';
        if (!isConstruct || modifiers & ts.ModifierFlags.Private || params.length < 3) continue;
        entries[className] = parameters(params.slice(2));
      } else if (ts.isMethodDeclaration(member) && member.name && ts.isIdentifier(member.name)) {
        const isStatic = (ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static) !== 0;
        const key = `${className}.${isStatic ? 'static.' : ''}${member.name.text}`;
        if (wanted.has(key)) {
          entries[key] = parameters(member.parameters);
          wanted.delete(key);
        }
      }
    }
  }
  if (wanted.size > 0) throw new Error(`CHECKED_METHODS names methods that do not exist: ${[...wanted].join(', ')}`);

  function parameters(params: readonly ts.ParameterDeclaration[]): ShapeTable['entries'][string] {
    return params.map((p) => {
      const type = checker.getTypeAtLocation(p);
      const optional = !!p.questionToken || !!p.initializer;
      return [(p.name as ts.Identifier).text, shapeOf(type), optional ? 1 : 0] as [string, Shape, 0 | 1];
    });
  }

  const sortedTypes = Object.fromEntries(Object.entries(types).sort(([a], [b]) => a.localeCompare(b)));
  const text = [
    '// Generated by `npm run props:shapes` (scripts/generate-props-shapes.ts) from the declarations of the',
    '// public API; do not edit by hand. `npm run lint` fails when it is stale.',
    "import type { ShapeTable } from './_props-shape-types';",
    '',
    '/** @internal */',
    // JSON text, not an object literal: the type-checker then reads one string, not 140 object types.
    `export const PROPS_SHAPES: ShapeTable = JSON.parse(${JSON.stringify(JSON.stringify({ entries, types: sortedTypes }))});`,
    '',
  ].join('\n');
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`${path.relative(ROOT, OUT)} is stale: run \`npm run props:shapes\` and commit it\n`);
      process.exit(1);
    }
    return;
  }
  fs.writeFileSync(OUT, text);
  process.stdout.write(
    `${path.relative(ROOT, OUT)}: ${Object.keys(entries).length} entries, ${Object.keys(types).length} types\n`,
  );
}

main();
