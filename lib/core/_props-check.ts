import { IConstruct } from 'constructs';

import type { Shape, ShapeTable, TypeShape } from './_props-shape-types';
import { PROPS_SHAPES } from './_props-shapes.generated';
import { rejectAt } from './input-validation';

// JavaScript callers have no type checker: `gateways: 'mesh'` for an array, `null` for props, a forged
// object for a class instance. Each construct checks what it is given against the shape of its
// declared props (generated from the declarations into _props-shapes.generated.ts) before it reads
// any of it, so a wrong type is an InvalidInputError naming the field, never a TypeError or a
// silently wrong manifest. The check also returns a snapshot: plain data is copied and frozen, so a
// props object changed after the construct was made cannot change its output behind its back.

/** Keys that serialization drops (`__proto__`) or that shadow what every object has. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

class Mismatch {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {}
}

class Checker {
  private readonly active = new Set<object>();

  constructor(private readonly table: ShapeTable) {}

  /** The checked (and, for plain data, copied and frozen) value, or a Mismatch. */
  check(shape: Shape, value: unknown, field: string): unknown {
    if (typeof shape === 'string') return this.primitive(shape, value, field);
    if ('lit' in shape) {
      return shape.lit.includes(value as never) ? value : new Mismatch(field, value, describe(shape, this.table));
    }
    if ('arr' in shape) {
      if (!Array.isArray(value)) return new Mismatch(field, value, describe(shape, this.table));
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const at = `${field}[${i}]`;
        const read = readField(value, i, at);
        if (read instanceof Mismatch) return read;
        const item = this.check(shape.arr, read, at);
        if (item instanceof Mismatch) return item;
        out.push(item);
      }
      return Object.freeze(out);
    }
    if ('map' in shape) return this.record(shape.map, value, field, describe(shape, this.table));
    if ('union' in shape) return this.union(shape.union, value, field);
    if ('ext' in shape) return this.external(shape.ext, value, field);
    const type = 'ref' in shape ? this.table.types[shape.ref] : shape.obj;
    const name = 'ref' in shape ? shape.ref : undefined;
    const result = this.object(type, name, value, field);
    if (
      result instanceof Mismatch &&
      type?.kind === 'reference' &&
      result.field !== field &&
      result.value === undefined
    ) {
      // Something else than the thing referred to (a Gateway ApiObject for an IGateway): say so at
      // the field, with the member that gave it away.
      const member = result.field.slice(field === '' ? 0 : field.length + 1);
      return new Mismatch(
        field,
        value,
        `${describe(shape, this.table)} (this value's ${member} is ${describeValue(result.value)}; expected ${result.allowed})`,
      );
    }
    return result;
  }

  private primitive(shape: 'string' | 'number' | 'boolean' | 'function' | 'any', value: unknown, field: string) {
    if (shape === 'any' || typeof value === shape) return value;
    return new Mismatch(field, value, describe(shape, this.table));
  }

  private union(members: readonly Shape[], value: unknown, field: string): unknown {
    let best: Mismatch | undefined;
    for (const member of members) {
      const result = this.check(member, value, field);
      if (!(result instanceof Mismatch)) return result;
      // A nested mismatch (deeper field) says more than "expected one of".
      if (result.field !== field && (best === undefined || best.field === field)) best = result;
    }
    if (best) return best;
    return new Mismatch(field, value, members.map((m) => describe(m, this.table)).join(', or '));
  }

  private external(
    kind: 'Duration' | 'Size' | 'construct' | 'object' | 'struct',
    value: unknown,
    field: string,
  ): unknown {
    const isObject = value !== null && typeof value === 'object';
    if (kind === 'construct') {
      const node = isObject ? (value as { node?: { path?: unknown } }).node : undefined;
      return node && typeof node === 'object' && typeof node.path === 'string'
        ? value
        : new Mismatch(field, value, 'a construct (an object with a construct node)');
    }
    // Whether it is a Duration or Size; its length (finite, at least 1 ms, whole KiB) is checked by
    // the construct that uses it, which knows the field's bounds.
    if (kind === 'Duration' || kind === 'Size') {
      const method = kind === 'Duration' ? 'toMilliseconds' : 'toKibibytes';
      return isObject && typeof (value as Record<string, unknown>)[method] === 'function'
        ? value
        : new Mismatch(
            field,
            value,
            kind === 'Duration'
              ? 'a cdk8s Duration (Duration.seconds(n), Duration.millis(n), ...)'
              : 'a cdk8s Size (Size.gibibytes(n), ...)',
          );
    }
    if (kind === 'struct') {
      // Another package's structs (cdk8s-plus's k8s.ResourceRequirements, k8s.Probe): data that cdk8s
      // can render; their fields are checked by the construct and the schema of the output.
      if (!isPlainObject(value)) return new Mismatch(field, value, 'a plain object');
      return unrenderable(value, field) ?? value;
    }
    // Another package's classes (a cdk8s-plus KubeService): objects, not lists.
    return (isObject && !Array.isArray(value)) || typeof value === 'function'
      ? value
      : new Mismatch(field, value, 'an object');
  }

  private record(shape: Shape, value: unknown, field: string, allowed: string): unknown {
    if (!isPlainObject(value)) return new Mismatch(field, value, allowed);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const at = `${field}[${/^\d+$/.test(key) ? key : JSON.stringify(key)}]`;
      if (PROTOTYPE_KEYS.has(key)) {
        return new Mismatch(
          at,
          key,
          `a key other than __proto__, constructor and prototype (JSON serialization drops or mangles them)`,
        );
      }
      const read = readField(value, key, at);
      if (read instanceof Mismatch) return read;
      const item = this.check(shape, read, at);
      if (item instanceof Mismatch) return item;
      out[key] = item;
    }
    return Object.freeze(out);
  }

  private object(type: TypeShape | undefined, name: string | undefined, value: unknown, field: string): unknown {
    if (!type) return value;
    const allowed = name ? (REFERENCE_DESCRIPTIONS[name] ?? `${article(name)} ${name}`) : 'an object';
    const isObject = value !== null && (typeof value === 'object' || typeof value === 'function');
    if (!isObject || Array.isArray(value)) return new Mismatch(field, value, allowed);
    const record = value as Record<string, unknown>;
    // Things referred to (constructs, presets, services) are checked and kept as they are; a cycle
    // among them (a service that refers back to its app) is checked once.
    const byReference = type.kind === 'reference' || !isPlainObject(value);
    if (this.active.has(record)) return value;
    this.active.add(record);
    try {
      for (const key of Object.keys(record)) {
        if (PROTOTYPE_KEYS.has(key)) {
          return new Mismatch(join(field, key), key, `no field named ${key} (JSON serialization drops or mangles it)`);
        }
      }
      const out: Record<string, unknown> = byReference ? record : {};
      for (const [key, [shape, optional]] of Object.entries(type.props)) {
        const at = join(field, key);
        let item: unknown;
        try {
          item = record[key];
        } catch (error) {
          return new Mismatch(at, undefined, `a readable value (reading it threw: ${(error as Error)?.message})`);
        }
        if (item === undefined) {
          if (optional || shape === 'any') continue;
          return new Mismatch(at, item, `${describe(shape, this.table)} (required)`);
        }
        const checked = this.check(shape, item, at);
        if (checked instanceof Mismatch) return checked;
        if (!byReference) out[key] = checked;
      }
      if (type.index && !byReference) {
        for (const key of Object.keys(record)) {
          if (key in type.props) continue;
          const read = readField(record, key, join(field, key));
          if (read instanceof Mismatch) return read;
          const checked = this.check(type.index, read, join(field, key));
          if (checked instanceof Mismatch) return checked;
          out[key] = checked;
        }
      }
      return byReference ? value : Object.freeze(out);
    } finally {
      this.active.delete(record);
    }
  }
}

/** The first value inside `data` that cdk8s cannot render into YAML (a Date, a Map, a function). */
function unrenderable(data: unknown, field: string, depth = 0): Mismatch | undefined {
  if (depth > 32) return new Mismatch(field, undefined, 'data nested at most 32 levels deep');
  if (data === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof data)) return undefined;
  if (
    typeof data !== 'object' ||
    data instanceof Date ||
    data instanceof Map ||
    data instanceof Set ||
    data instanceof RegExp ||
    ArrayBuffer.isView(data)
  ) {
    return new Mismatch(field, data, 'plain data (objects, arrays, strings, numbers, booleans)');
  }
  const isArray = Array.isArray(data);
  for (const key of Object.keys(data)) {
    if (PROTOTYPE_KEYS.has(key))
      return new Mismatch(join(field, key), key, 'a key other than __proto__, constructor and prototype');
    const at = isArray ? `${field}[${key}]` : join(field, key);
    const read = readField(data, key, at);
    if (read instanceof Mismatch) return read;
    const bad = unrenderable(read, at, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

/** A field of the caller's value; a getter or Proxy that throws is a mismatch, not a crash. */
function readField(container: object, key: string | number, at: string): unknown {
  try {
    return (container as Record<string | number, unknown>)[key];
  } catch (error) {
    return new Mismatch(at, undefined, `a readable value (reading it threw: ${(error as Error)?.message ?? error})`);
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function join(field: string, key: string): string {
  return field === '' ? key : `${field}.${key}`;
}

function article(name: string): string {
  return /^[AEIOU]/.test(name) ? 'an' : 'a';
}

/** What a shape allows, in words. */
function describe(shape: Shape, table: ShapeTable): string {
  if (shape === 'any') return 'any value';
  if (shape === 'function') return 'a function';
  if (shape === 'boolean') return 'true or false';
  if (typeof shape === 'string') return `a ${shape}`;
  if ('lit' in shape) {
    if (shape.lit.length === 0) return 'nothing (leave it out)';
    // Enum values read best as written in the docs: one of DISABLE, SIMPLE, MUTUAL.
    const word = (l: unknown) => (typeof l === 'string' && /^[\w.-]+$/.test(l) ? l : JSON.stringify(l));
    if (shape.lit.length === 1) return JSON.stringify(shape.lit[0]);
    return `one of ${shape.lit.map(word).join(', ')}${shape.names ? ` (${shape.names.join(', ')})` : ''}`;
  }
  if ('arr' in shape) return `an array of ${plural(describe(shape.arr, table))}`;
  if ('map' in shape) return `an object mapping names to ${plural(describe(shape.map, table))}`;
  if ('union' in shape) return shape.union.map((m) => describe(m, table)).join(', or ');
  if ('ext' in shape) {
    return {
      Duration: 'a cdk8s Duration',
      Size: 'a cdk8s Size',
      construct: 'a construct',
      object: 'an object',
      struct: 'a plain object',
    }[shape.ext];
  }
  if ('ref' in shape) return REFERENCE_DESCRIPTIONS[shape.ref] ?? `${article(shape.ref)} ${shape.ref}`;
  return 'an object';
}

/** The references users most often get wrong, with the ways to make one. */
const REFERENCE_DESCRIPTIONS: Record<string, string> = {
  IGateway:
    'an IGateway (a SharedGateway or an IngressGateway preset such as IngressGateway.ISTIOCTL), or a string: "<namespace>/<name>" or VersionRouting.MESH',
  IngressGateway: 'an IngressGateway (IngressGateway.ISTIOCTL, IngressGateway.HELM or IngressGateway.custom(...))',
  IMeshService:
    'an IMeshService (a service of BookinfoApp, a VersionedWorkload, a ServiceEntry or MeshService.fromAttributes(...))',
  IKubernetesGateway: 'an IKubernetesGateway (a KubernetesGateway)',
  Percent: 'a Percent (Percent.of(n))',
  StringMatch: 'a StringMatch (StringMatch.exact(...), .prefix(...), .regex(...) or .present())',
  IstioRelease: 'an IstioRelease (IstioRelease.V1_17, IstioRelease.V1_30, ...)',
};

function plural(description: string): string {
  return description
    .replace(/^an? /, '')
    .replace(/^([a-z]\w*)/, '$1s')
    .replace(/^(cdk8s \w+)/, '$1s');
}

/**
 * Checks a construct's props against the shape of its declared props type (entry = the class name)
 * and returns the snapshot the construct works from.
 * @internal
 */
export function checkedProps<T>(scope: IConstruct, entry: string, props: T): T {
  return checkedArgs(scope, entry, [props])[0] as T;
}

/**
 * Checks the arguments of a constructor or method (entry `Class`, `Class.method` or
 * `Class.static.method`) and returns their snapshots; the field of a mismatch is the parameter's
 * path (`options.match[0].uri`), or `props` for a construct's props as a whole. `fields` names
 * the arguments as the construct's other messages do (`routes[2]` for the third route).
 * @internal
 */
export function checkedArgs(
  scope: IConstruct | string,
  entry: string,
  args: readonly unknown[],
  fields?: readonly string[],
): unknown[] {
  const t = PROPS_SHAPES;
  const parameters = t.entries[entry];
  if (!parameters) throw new Error(`no props shape for ${entry}: run npm run props:shapes`);
  const checker = new Checker(t);
  const isConstructor = !entry.includes('.');
  return parameters.map(([name, shape, optional], i) => {
    const value = args[i];
    // A construct's props fields are named as users write them (`namespace`), other parameters by name.
    const field = fields?.[i] ?? (isConstructor && parameters.length === 1 ? '' : name);
    if (value === undefined && optional) return value;
    let checked: unknown;
    try {
      checked = checker.check(shape, value, field);
    } catch (error) {
      // A Proxy whose traps throw, keys that cannot be listed: the value cannot be read as data.
      checked = new Mismatch(field, undefined, `plain data (reading it threw: ${(error as Error)?.message ?? error})`);
    }
    if (checked instanceof Mismatch) {
      const at = typeof scope === 'string' ? scope : scope.node.path;
      rejectAt(at, checked.field || (isConstructor ? 'props' : (fields?.[i] ?? name)), checked.value, checked.allowed);
    }
    return checked;
  });
}
