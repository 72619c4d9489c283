#!/usr/bin/env node
// Writes imports/schemas.generated.ts: the structural schemas of every kind the library emits, for
// the last check on the output (lib/core/_structural-schema.ts, BKI-SCHEMA-INVALID).
//
//   node scripts/generate-schemas.mjs           # (re)write the file
//   node scripts/generate-schemas.mjs --check   # exit 1 if the committed file is not what this writes
//
// Sources, all offline:
// - Istio and Gateway API kinds: every version of every CRD in imports/crds/*.yaml (the files
//   `cdk8s import` reads), their openAPIV3Schema as the API server applies it to custom resources.
// - Kubernetes kinds: the types of the kubernetes-models package (a devDependency): its .d.ts files give
//   the JSON field names, which fields are required, and string enums; its compiled validators are
//   asked whether a number is an integer (and int32) and which fields take null.
//
// What is kept: the keywords the runtime validator reads. Descriptions, defaults, examples and the
// CEL rules (x-kubernetes-validations, which the runtime does not evaluate) are dropped, and every
// subtree that occurs more than once is stored once (SCHEMA_DEFS, referenced as {"$ref": n}).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import YAML from 'yaml';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'imports', 'schemas.generated.ts');
const CRD_DIR = path.join(ROOT, 'imports', 'crds');
const MODELS = path.join(ROOT, 'node_modules', 'kubernetes-models');

/** The Kubernetes kinds the library emits, by apiVersion/kind, with their kubernetes-models module. */
const KUBE_KINDS = {
  'v1/Service': 'v1/Service',
  'v1/ServiceAccount': 'v1/ServiceAccount',
  'v1/ConfigMap': 'v1/ConfigMap',
  'v1/Secret': 'v1/Secret',
  'v1/Namespace': 'v1/Namespace',
  'v1/PersistentVolumeClaim': 'v1/PersistentVolumeClaim',
  'apps/v1/Deployment': 'apps/v1/Deployment',
  'apps/v1/StatefulSet': 'apps/v1/StatefulSet',
  'apps/v1/DaemonSet': 'apps/v1/DaemonSet',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1/Role': 'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'rbac.authorization.k8s.io/v1/RoleBinding',
  'policy/v1/PodDisruptionBudget': 'policy/v1/PodDisruptionBudget',
  'batch/v1/Job': 'batch/v1/Job',
  'networking.k8s.io/v1/Ingress': 'networking.k8s.io/v1/Ingress',
  'networking.k8s.io/v1/NetworkPolicy': 'networking.k8s.io/v1/NetworkPolicy',
};

/** CRD schema keywords the runtime validator reads (kept), and those it does not (dropped). */
const KEPT = new Set([
  'type',
  'properties',
  'additionalProperties',
  'items',
  'required',
  'enum',
  'format',
  'maxItems',
  'minItems',
  'maxLength',
  'minLength',
  'maxProperties',
  'minProperties',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'nullable',
  'pattern',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
]);
const DROPPED = new Set([
  'description',
  'default',
  'example',
  'title',
  'x-kubernetes-validations',
  'x-kubernetes-map-type',
]);

// ---------------------------------------------------------------------------------------------
// CRDs

function crdSchema(schema, at) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new Error(`${at}: not a schema`);
  const out = {};
  for (const key of Object.keys(schema).sort()) {
    const v = schema[key];
    if (DROPPED.has(key)) continue;
    if (!KEPT.has(key)) throw new Error(`${at}: keyword ${key} is neither checked nor knowingly dropped`);
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.keys(v).map((p) => [p, crdSchema(v[p], `${at}.${p}`)]));
    } else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && typeof v === 'object')) {
      out[key] = crdSchema(v, `${at}/${key}`);
    } else if (key === 'oneOf' || key === 'anyOf' || key === 'allOf') {
      out[key] = v.map((s, i) => crdSchema(s, `${at}/${key}[${i}]`));
    } else {
      out[key] = v;
    }
  }
  return out;
}

function crdKinds(objectMeta) {
  const kinds = {};
  for (const file of fs
    .readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const source = file.replace(/\.yaml$/, '');
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(CRD_DIR, file), 'utf8'))) {
      const crd = doc.toJS();
      for (const version of crd.spec.versions) {
        const apiVersion = `${crd.spec.group}/${version.name}`;
        const kind = crd.spec.names.kind;
        const schema = crdSchema(version.schema.openAPIV3Schema, `${apiVersion}/${kind}`);
        // The API server checks a custom resource's apiVersion, kind and metadata itself (metadata as ObjectMeta).
        schema.properties = {
          ...schema.properties,
          apiVersion: { enum: [apiVersion], type: 'string' },
          kind: { enum: [kind], type: 'string' },
          metadata: objectMeta,
        };
        schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind'])].sort();
        kinds[`${apiVersion}/${kind}`] = {
          source: `CRD ${crd.metadata.name} (${source}.yaml)`,
          nullIsUnset: false,
          schema,
        };
      }
    }
  }
  return kinds;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes kinds, from kubernetes-models

function modelsVersion() {
  return JSON.parse(fs.readFileSync(path.join(MODELS, 'package.json'), 'utf8')).version;
}

function kubeKinds() {
  const files = Object.values(KUBE_KINDS).map((m) => path.join(MODELS, `${m}.d.ts`));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.CommonJS,
    strict: true,
  });
  const checker = program.getTypeChecker();
  const source = `kubernetes-models ${modelsVersion()}`;
  const built = new Map(); // interface symbol -> schema (no cycles among the kinds emitted)
  const building = new Set();

  /** The compiled validator of the definition an interface declares (its `I<Definition>` alias). */
  function validatorOf(decl) {
    const file = decl.getSourceFile().fileName;
    const name = decl.name.text;
    const alias = new RegExp(`export \\{ ${name} as I(\\w+)`).exec(fs.readFileSync(file, 'utf8'));
    if (!alias) throw new Error(`${file}: no definition alias for ${name}`);
    // The package the declaration file belongs to (kubernetes-models may carry its own apimachinery).
    const marker = `${path.sep}@kubernetes-models${path.sep}apimachinery${path.sep}`;
    const pkg = file.includes(marker)
      ? file.slice(0, file.lastIndexOf(marker) + marker.length - 1)
      : file.slice(0, file.lastIndexOf(`${path.sep}kubernetes-models${path.sep}`) + '/kubernetes-models'.length);
    const validate = require(path.join(pkg, '_schemas', `${alias[1]}.js`)).validate;
    if (typeof validate !== 'function') throw new Error(`${file}: no validator for ${alias[1]} in ${pkg}`);
    return validate;
  }

  /**
   * The errors the compiled validator of the enclosing definition reports at the field's place for `value`
   * (`ctx.wrap` puts a value where the field is, `ctx.path` is that place as ajv names it).
   */
  function probe(ctx, value) {
    ctx.validate(ctx.wrap(value));
    return (ctx.validate.errors ?? []).filter((e) => e.instancePath === ctx.path);
  }

  function numberSchema(ctx) {
    const fraction = probe(ctx, 1.5);
    if (!fraction.some((e) => e.keyword === 'type' && e.params.type === 'integer')) {
      if (fraction.length > 0) throw new Error(`${ctx.at}: unexpected errors for 1.5`);
      return { type: 'number' };
    }
    const big = probe(ctx, 2 ** 31);
    const int32 = big.some((e) => e.keyword === 'format' && e.params.format === 'int32');
    return { format: int32 ? 'int32' : 'int64', type: 'integer' };
  }

  const within = (ctx, step, at, wrap) => ({
    ...ctx,
    at: `${ctx.at}${at}`,
    wrap: (v) => ctx.wrap(wrap(v)),
    path: `${ctx.path}/${step}`,
  });

  function typeSchema(type, ctx) {
    const aliasName = type.aliasSymbol?.getName();
    if (aliasName === 'IIntOrString') return { 'x-kubernetes-int-or-string': true };
    if (aliasName === 'IQuantity') return { 'x-bki-quantity': true };
    if (type.flags & ts.TypeFlags.String) return { type: 'string' };
    if (type.flags & ts.TypeFlags.Boolean || type.flags & ts.TypeFlags.BooleanLiteral) return { type: 'boolean' };
    if (type.flags & ts.TypeFlags.Number) return numberSchema(ctx);
    if (type.flags & ts.TypeFlags.StringLiteral) return { enum: [type.value], type: 'string' };
    if (type.isUnion()) {
      const parts = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
      if (parts.length === 1) return typeSchema(parts[0], ctx);
      if (parts.every((t) => t.flags & ts.TypeFlags.StringLiteral)) {
        return { enum: parts.map((t) => t.value).sort(), type: 'string' };
      }
      if (parts.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
      throw new Error(`${ctx.at}: union ${checker.typeToString(type)}`);
    }
    if (checker.isArrayType(type)) {
      const [item] = checker.getTypeArguments(type);
      return {
        items: typeSchema(
          item,
          within(ctx, '0', '[]', (v) => [v]),
        ),
        type: 'array',
      };
    }
    if (type.flags & ts.TypeFlags.Any || type.flags & ts.TypeFlags.Unknown) {
      return { 'x-kubernetes-preserve-unknown-fields': true };
    }
    if (type.flags & ts.TypeFlags.Object) {
      const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
      const props = checker.getPropertiesOfType(type);
      if (index && props.length === 0) {
        return {
          additionalProperties: typeSchema(
            index.type,
            within(ctx, 'k', '{}', (v) => ({ k: v })),
          ),
          type: 'object',
        };
      }
      const symbol = type.getSymbol();
      const decl = symbol?.declarations?.find((d) => ts.isInterfaceDeclaration(d));
      if (decl) return interfaceSchema(symbol, decl, type);
      // An anonymous object type (e.g. a claim template's PersistentVolumeClaim, apiVersion and kind optional):
      // its fields are probed through the enclosing definition's validator.
      const location = symbol?.declarations?.[0];
      if (!location) throw new Error(`${ctx.at}: object type ${checker.typeToString(type)}`);
      return objectSchema(props, location, (name) => within(ctx, name, `.${name}`, (v) => ({ [name]: v })));
    }
    throw new Error(`${ctx.at}: type ${checker.typeToString(type)}`);
  }

  function objectSchema(props, location, fieldContext) {
    const properties = {};
    const required = [];
    for (const p of [...props].sort((a, b) => (a.getName() < b.getName() ? -1 : 1))) {
      const name = p.getName();
      const pType = checker.getTypeOfSymbolAtLocation(p, location);
      const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
      properties[name] = typeSchema(optional ? checker.getNonNullableType(pType) : pType, fieldContext(name));
      if (!optional) required.push(name);
    }
    const schema = { properties, type: 'object' };
    if (required.length > 0) schema.required = required;
    return schema;
  }

  function interfaceSchema(symbol, decl, type) {
    if (built.has(symbol)) return built.get(symbol);
    if (building.has(symbol)) throw new Error(`recursive type ${symbol.getName()}`);
    building.add(symbol);
    const props = checker.getPropertiesOfType(type);
    let schema;
    if (props.length === 0) {
      schema = { 'x-kubernetes-preserve-unknown-fields': true, type: 'object' }; // e.g. FieldsV1, RawExtension
    } else {
      const validate = validatorOf(decl);
      schema = objectSchema(props, decl, (name) => ({
        at: `${symbol.getName()}.${name}`,
        validate,
        wrap: (v) => ({ [name]: v }),
        path: `/${name}`,
      }));
    }
    building.delete(symbol);
    built.set(symbol, schema);
    return schema;
  }

  const kinds = {};
  let objectMeta;
  for (const [key, module] of Object.entries(KUBE_KINDS)) {
    const file = program.getSourceFile(path.join(MODELS, `${module}.d.ts`));
    const kind = key.slice(key.lastIndexOf('/') + 1);
    const decl = file.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === `I${kind}`);
    const symbol = checker.getSymbolAtLocation(decl.name);
    const schema = interfaceSchema(symbol, decl, checker.getDeclaredTypeOfSymbol(symbol));
    if (objectMeta === undefined) {
      // A custom resource's metadata is decoded as ObjectMeta, where null is "not set" (not pruned as in the spec).
      objectMeta = schema.properties.metadata;
      objectMeta['x-bki-null-is-unset'] = true;
    }
    kinds[key] = { source, nullIsUnset: true, schema };
  }
  return { kinds, objectMeta };
}

// ---------------------------------------------------------------------------------------------
// Output: shared subtrees stored once

function canonical(node, memo) {
  if (node === null || typeof node !== 'object') return JSON.stringify(node);
  if (memo.has(node)) return memo.get(node);
  const text = Array.isArray(node)
    ? `[${node.map((n) => canonical(n, memo)).join(',')}]`
    : `{${Object.keys(node)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical(node[k], memo)}`)
        .join(',')}}`;
  memo.set(node, text);
  return text;
}

/** Schema nodes (not arrays or property maps) under `node`, each with the position it is met at. */
function visitSchemas(node, visit) {
  visit(node);
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties') for (const p of Object.values(v)) visitSchemas(p, visit);
    else if (k === 'items' || k === 'not' || (k === 'additionalProperties' && typeof v === 'object'))
      visitSchemas(v, visit);
    else if (k === 'oneOf' || k === 'anyOf' || k === 'allOf') for (const s of v) visitSchemas(s, visit);
  }
}

function render() {
  const { kinds: kube, objectMeta } = kubeKinds();
  const kinds = { ...crdKinds(objectMeta), ...kube };
  const keys = Object.keys(kinds).sort();
  const memo = new Map();
  const counts = new Map();
  for (const key of keys) {
    visitSchemas(kinds[key].schema, (n) => {
      const c = canonical(n, memo);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    });
  }
  const shared = (n) => n !== undefined && (counts.get(canonical(n, memo)) ?? 0) > 1 && canonical(n, memo).length >= 80;
  const defIds = new Map();
  const defs = [];
  const emit = (node, top = false) => {
    const c = canonical(node, memo);
    if (!top && shared(node)) {
      if (!defIds.has(c)) {
        defIds.set(c, -1); // reserve: its id is its place once rendered, children first
        const text = emit(node, true);
        defIds.set(c, defs.length);
        defs.push(text);
      }
      return `{"$ref":${defIds.get(c)}}`;
    }
    const parts = Object.keys(node)
      .sort()
      .map((k) => {
        const v = node[k];
        let text;
        if (k === 'properties') {
          text = `{${Object.keys(v)
            .sort()
            .map((p) => `${JSON.stringify(p)}:${emit(v[p])}`)
            .join(',')}}`;
        } else if (k === 'items' || k === 'not' || (k === 'additionalProperties' && typeof v === 'object')) {
          text = emit(v);
        } else if (k === 'oneOf' || k === 'anyOf' || k === 'allOf') {
          text = `[${v.map((s) => emit(s)).join(',')}]`;
        } else {
          text = JSON.stringify(v);
        }
        return `${JSON.stringify(k)}:${text}`;
      });
    return `{${parts.join(',')}}`;
  };
  const rendered = keys.map((key) => [key, kinds[key].source, kinds[key].nullIsUnset, emit(kinds[key].schema, true)]);
  const lines = [
    '// Generated by scripts/generate-schemas.mjs from imports/crds/*.yaml and kubernetes-models: do not edit.',
    '// `node scripts/generate-schemas.mjs` rewrites it; `npm run lint` checks that it is up to date.',
    '',
    '/** A kind\'s schema: where it comes from, whether null means "not set" (Kubernetes kinds), and its JSON. @internal */',
    'export interface GeneratedKindSchema {',
    '  readonly source: string;',
    '  readonly nullIsUnset: boolean;',
    '  readonly schema: string;',
    '}',
    '',
    '/** The schema of each kind, by `<apiVersion>/<kind>`: JSON text, parsed on first use. @internal */',
    'export const SCHEMA_KINDS: Readonly<Record<string, GeneratedKindSchema>> = {',
    ...rendered.map(
      ([key, source, nullIsUnset, text]) =>
        `  ${JSON.stringify(key)}: { source: ${JSON.stringify(source)}, nullIsUnset: ${nullIsUnset}, schema: ${JSON.stringify(text)} },`,
    ),
    '};',
    '',
    '/** Subtrees shared by several schemas (`{"$ref": n}` is entry n): JSON text, parsed on first use. @internal */',
    'export const SCHEMA_DEFS: readonly string[] = [',
    ...defs.map((d) => `  ${JSON.stringify(d)},`),
    '];',
    '',
  ];
  return lines.join('\n');
}

const text = render();
if (process.argv.includes('--check')) {
  const committed = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (committed !== text) {
    console.error(
      `${path.relative(ROOT, OUT)} is out of date: run \`node scripts/generate-schemas.mjs\` and commit it`,
    );
    process.exit(1);
  }
} else {
  fs.writeFileSync(OUT, text);
  console.log(`${path.relative(ROOT, OUT)}: ${text.length} bytes`);
}
