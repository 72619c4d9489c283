import { RE2JS } from 're2js';

import { GeneratedKindSchema, SCHEMA_DEFS, SCHEMA_KINDS } from '../../imports/schemas.generated';

/**
 * A structural schema as the Kubernetes API server reads a CRD's openAPIV3Schema (and, for built-in
 * kinds, as the generator derives it from their Go types), with the keywords the validator checks.
 * `{ $ref: n }` stands for entry n of the generated shared definitions.
 * @internal
 */
export interface StructuralSchema {
  readonly $ref?: number;
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly additionalProperties?: StructuralSchema | boolean;
  readonly items?: StructuralSchema;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly maxProperties?: number;
  readonly minProperties?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly nullable?: boolean;
  readonly pattern?: string;
  readonly oneOf?: readonly StructuralSchema[];
  readonly anyOf?: readonly StructuralSchema[];
  readonly allOf?: readonly StructuralSchema[];
  readonly not?: StructuralSchema;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  /** A resource.Quantity of a built-in kind: a JSON number, or a string in Kubernetes' quantity syntax. */
  readonly 'x-bki-quantity'?: boolean;
  /**
   * Below this schema null is "not set", as for Go structs (the metadata of a custom resource, which the API
   * server decodes as ObjectMeta rather than prunes).
   */
  readonly 'x-bki-null-is-unset'?: boolean;
}

/** One value the schema does not allow. @internal */
export interface SchemaViolation {
  /** Where, as the analysis names fields: `spec.http[0].route[0].weight`. */
  readonly path: string;
  /** The offending value (the object holding an unknown field for `required`, the field's value otherwise). */
  readonly value: unknown;
  /** What is wrong, after the quoted value: `is a string`. */
  readonly problem: string;
  /** What the schema allows: `an integer (int32)`. */
  readonly allowed: string;
}

/** How {@link validateStructural} treats values. @internal */
export interface StructuralOptions {
  /**
   * Built-in kinds: the API server decodes JSON into Go structs, where null is the field left unset.
   * Custom resources: null is dropped unless the schema says `nullable` (so it is reported).
   * @default false
   */
  readonly nullIsUnset?: boolean;
  /** Resolves `{ $ref: n }`. @default the generated definitions */
  readonly resolve?: (ref: number) => StructuralSchema;
}

const INT32 = 2 ** 31;
/** Kubernetes' quantity syntax (k8s.io/apimachinery resource.ParseQuantity), anchored: sign, digits, suffix. */
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

const parsedDefs: (StructuralSchema | undefined)[] = [];
function generatedDef(ref: number): StructuralSchema {
  let def = parsedDefs[ref];
  if (def === undefined) {
    const text = SCHEMA_DEFS[ref];
    if (text === undefined) throw new Error(`no generated schema definition ${ref}`);
    def = JSON.parse(text) as StructuralSchema;
    parsedDefs[ref] = def;
  }
  return def;
}

/** A compiled pattern: test(value) is Go's regexp.MatchString(pattern, value). */
interface Matcher {
  test(value: string): boolean;
}

const patterns = new Map<string, Matcher>();
/**
 * Go's regexp.MatchString (what the API server runs for `pattern`): RE2 syntax, unanchored. Patterns that mean
 * the same in RE2 and in a JavaScript RegExp with the `u` flag (see {@link sameInJavaScript}) run as RegExps,
 * which compile ~50x faster than re2js's; every other pattern runs on re2js, RE2's own semantics.
 */
function matchesPattern(pattern: string, value: string): boolean {
  let re = patterns.get(pattern);
  if (re === undefined) {
    re = sameInJavaScript(pattern) ? new RegExp(pattern, 'u') : RE2JS.compile(pattern);
    patterns.set(pattern, re);
  }
  return re.test(value);
}

/**
 * Whether `pattern` matches the same strings in RE2 and as a JavaScript RegExp with the `u` flag (both
 * then match code points; `^`, `$`, classes, ranges, `\\d`, `\\xNN`, groups, `|` and quantifiers agree).
 * Refused: `.` outside a class (RE2's excludes only \n, JavaScript's also \r, U+2028, U+2029), `\\s`/`\\w`/`\\b`
 * and their negations (JavaScript's `\\s` is Unicode-wide), `\\p`, RE2-only escapes, back-references, and
 * `(?` groups other than `(?:`; and anything JavaScript does not parse.
 * @internal
 */
export function sameInJavaScript(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[++i] ?? '';
      if (/[sSwWbBpPQEzACklLuU0-9]/.test(next)) return false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else if (c === '[' && pattern[i + 1] === ':') return false; // RE2's [[:alpha:]]
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') return false; // a leading ] is a literal in RE2, an empty class in JavaScript
      continue;
    }
    if (c === '.') return false;
    if (c === '(' && pattern[i + 1] === '?' && pattern[i + 2] !== ':') return false;
  }
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  return `a JavaScript ${typeof value}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `spec.http[0].route`, `metadata.annotations["a/b"]`. */
function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(step)) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out === '' ? '(the object)' : out;
}

function quote(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** Code points, as the API server (Go's utf8.RuneCountInString) counts maxLength and minLength. */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** A short description of an alternative of oneOf/anyOf, as Istio's CRDs write them (over required fields). */
function describeAlternative(s: StructuralSchema): string {
  const parts: string[] = [];
  if (s.type !== undefined) parts.push(TYPE_NAMES[s.type]);
  if (s.enum !== undefined) parts.push(`one of ${quote(s.enum)}`);
  if (s.required !== undefined) parts.push(s.required.map((r) => `"${r}"`).join(' and ') + ' set');
  if (s.not !== undefined) parts.push(`not (${describeAlternative(s.not)})`);
  if (s.anyOf !== undefined) parts.push(s.anyOf.map(describeAlternative).join(' or '));
  if (s.oneOf !== undefined) parts.push(`exactly one of (${s.oneOf.map(describeAlternative).join('; ')})`);
  if (s.allOf !== undefined) parts.push(s.allOf.map(describeAlternative).join(' and '));
  if (s.properties !== undefined) parts.push(`fields ${Object.keys(s.properties).join(', ')} as the schema says`);
  return parts.length === 0 ? 'any value' : parts.join(', ');
}

/**
 * The fields of Istio's "at most one of" idiom, `oneOf: [{not: {anyOf: [{required: [a]}, {required: [b]}]}},
 * {required: [a]}, {required: [b]}]`; undefined for any other oneOf.
 */
function atMostOneOf(oneOf: readonly StructuralSchema[]): string[] | undefined {
  let cached = AT_MOST_ONE.get(oneOf);
  if (cached === undefined) {
    cached = exclusiveFields(oneOf) ?? null;
    AT_MOST_ONE.set(oneOf, cached);
  }
  return cached ?? undefined;
}

const AT_MOST_ONE = new WeakMap<readonly StructuralSchema[], string[] | null>();

function exclusiveFields(oneOf: readonly StructuralSchema[]): string[] | undefined {
  const single = (s: StructuralSchema): string | undefined =>
    Object.keys(s).length === 1 && s.required?.length === 1 ? s.required[0] : undefined;
  const [none, ...each] = oneOf;
  const listed = none?.not?.anyOf;
  if (Object.keys(none ?? {}).length !== 1 || Object.keys(none.not ?? {}).length !== 1 || listed === undefined) {
    return undefined;
  }
  const fields = each.map(single);
  const negated = listed.map(single);
  if (fields.some((f) => f === undefined) || fields.length !== negated.length) return undefined;
  if (fields.some((f, i) => f !== negated[i])) return undefined;
  return fields as string[];
}

class Validator {
  readonly violations: SchemaViolation[] = [];
  private readonly path: (string | number)[] = [];
  /** Inside oneOf/anyOf/allOf/not: violations are only counted (an alternative that fails is no error). */
  private probing = 0;
  private failures = 0;

  constructor(
    private nullIsUnset: boolean,
    private readonly resolve: (ref: number) => StructuralSchema,
  ) {}

  private report(value: unknown, problem: string, allowed: string): void {
    if (this.probing > 0) {
      this.failures++;
      return;
    }
    this.violations.push({ path: formatPath(this.path), value, problem, allowed });
  }

  /** Checks `value` at the current path; `structural` is false inside oneOf/anyOf/allOf/not (no field lists). */
  check(value: unknown, schemaOrRef: StructuralSchema, structural = true): void {
    const schema = this.at(schemaOrRef);
    if (schema['x-bki-null-is-unset'] === true && !this.nullIsUnset) {
      this.nullIsUnset = true; // a Go struct inside a custom resource (its metadata): decoded, not pruned
      try {
        this.check(value, schema, structural);
      } finally {
        this.nullIsUnset = false;
      }
      return;
    }
    if (value === null) {
      if (schema.nullable || this.nullIsUnset) return;
      if (structural) {
        this.report(value, 'is null, which the API server drops from a custom resource', this.allowedOf(schema));
      }
      return;
    }
    if (!this.checkType(value, schema)) return;
    if (schema.enum !== undefined && !schema.enum.includes(value)) {
      this.report(value, 'is not one of the values the schema allows', `one of ${quote(schema.enum)}`);
    }
    if (typeof value === 'string') this.checkString(value, schema);
    else if (typeof value === 'number') this.checkNumber(value, schema);
    else if (Array.isArray(value)) this.checkArray(value, schema, structural);
    else if (isPlainObject(value)) this.checkObject(value, schema, structural);
    this.checkCombinators(value, schema);
  }

  private at(schema: StructuralSchema | undefined): StructuralSchema {
    if (schema === undefined) return {};
    return schema.$ref === undefined ? schema : this.resolve(schema.$ref);
  }

  private allowedOf(schema: StructuralSchema): string {
    if (schema['x-kubernetes-int-or-string']) return 'an integer or a string';
    if (schema['x-bki-quantity']) return 'a quantity: a number, or a string such as "500m" or "128Mi"';
    if (schema.type === undefined) return 'any value but null';
    if (schema.type === 'integer' && (schema.format === 'int32' || schema.format === 'int64')) {
      return `an integer (${schema.format})`;
    }
    return TYPE_NAMES[schema.type];
  }

  private checkType(value: unknown, schema: StructuralSchema): boolean {
    let ok: boolean;
    switch (schema.type) {
      case 'object':
        ok = isPlainObject(value);
        break;
      case 'string':
        ok = typeof value === 'string';
        break;
      case 'array':
        ok = Array.isArray(value);
        break;
      case 'integer':
        ok = Number.isInteger(value);
        break;
      case 'boolean':
        ok = typeof value === 'boolean';
        break;
      case 'number':
        ok = typeof value === 'number' && Number.isFinite(value);
        break;
      default:
        // No type: int-or-string and quantities are the typed ones.
        if (schema['x-kubernetes-int-or-string']) ok = typeof value === 'string' || Number.isInteger(value);
        else if (schema['x-bki-quantity']) {
          ok =
            (typeof value === 'number' && Number.isFinite(value)) ||
            (typeof value === 'string' && QUANTITY.test(value));
        } else ok = true;
    }
    if (!ok) {
      const what = typeof value === 'string' && schema['x-bki-quantity'] ? 'is not a quantity' : `is ${typeOf(value)}`;
      this.report(value, what, this.allowedOf(schema));
    }
    return ok;
  }

  private checkString(value: string, schema: StructuralSchema): void {
    if (schema.maxLength !== undefined || schema.minLength !== undefined) {
      const n = codePoints(value);
      if (schema.maxLength !== undefined && n > schema.maxLength) {
        this.report(value, `is ${n} characters long`, `at most ${schema.maxLength} characters`);
      }
      if (schema.minLength !== undefined && n < schema.minLength) {
        this.report(value, `is ${n} characters long`, `at least ${schema.minLength} characters`);
      }
    }
    if (schema.pattern !== undefined && !matchesPattern(schema.pattern, value)) {
      this.report(value, 'does not match the pattern of the schema', `a string matching ${schema.pattern}`);
    }
  }

  private checkNumber(value: number, schema: StructuralSchema): void {
    if (schema.type === 'integer' && schema.format === 'int32' && (value < -INT32 || value >= INT32)) {
      this.report(value, 'is out of range', 'an integer (int32): -2147483648 to 2147483647');
    }
    if (schema.type === 'integer' && schema.format === 'int64' && !Number.isSafeInteger(value)) {
      this.report(
        value,
        'is out of range',
        'an integer (int64) that JSON numbers hold exactly: at most 2^53 - 1 in magnitude',
      );
    }
    if (schema.minimum !== undefined) {
      if (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum) {
        this.report(value, 'is too small', `${schema.exclusiveMinimum ? 'more than' : 'at least'} ${schema.minimum}`);
      }
    }
    if (schema.maximum !== undefined) {
      if (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum) {
        this.report(value, 'is too large', `${schema.exclusiveMaximum ? 'less than' : 'at most'} ${schema.maximum}`);
      }
    }
  }

  private checkArray(value: readonly unknown[], schema: StructuralSchema, structural: boolean): void {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      this.report(value.length, 'items are more than the schema allows', `at most ${schema.maxItems} items`);
    }
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      const n = schema.minItems;
      this.report(value.length, 'items are fewer than the schema allows', `at least ${n} item${n === 1 ? '' : 's'}`);
    }
    if (schema.items !== undefined) {
      for (let i = 0; i < value.length; i++) {
        this.path.push(i);
        this.check(value[i], schema.items, structural);
        this.path.pop();
      }
    }
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map')
      this.checkUnique(value, listType, schema['x-kubernetes-list-map-keys']);
  }

  /** The API server refuses duplicate entries of a `set` list and duplicate keys of a `map` list. */
  private checkUnique(value: readonly unknown[], listType: 'set' | 'map', keys: readonly string[] | undefined): void {
    const seen = new Map<string, number>();
    value.forEach((item, i) => {
      const key =
        listType === 'set' || keys === undefined
          ? JSON.stringify(item)
          : JSON.stringify(keys.map((k) => (isPlainObject(item) ? item[k] : undefined)));
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, i);
        return;
      }
      this.path.push(i);
      this.report(
        item,
        `repeats ${listType === 'set' ? 'item' : `the key (${keys!.join(', ')}) of item`} ${first}`,
        listType === 'set'
          ? 'distinct items (a list of type set)'
          : `items with distinct ${keys!.join(', ')} (a list of type map)`,
      );
      this.path.pop();
    });
  }

  private checkObject(value: Record<string, unknown>, schema: StructuralSchema, structural: boolean): void {
    if (schema.required !== undefined) {
      for (const r of schema.required) {
        if (!this.isSet(value[r])) {
          this.path.push(r);
          this.report(undefined, 'is required by the schema', this.allowedOf(this.at(schema.properties?.[r])));
          this.path.pop();
        }
      }
    }
    const properties = schema.properties;
    const additional = schema.additionalProperties;
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    let entries = 0;
    for (const k in value) {
      const v = value[k];
      if (v === undefined || !Object.prototype.hasOwnProperty.call(value, k)) continue;
      entries++;
      const declared = properties?.[k];
      this.path.push(k);
      if (typeof declared === 'object' && (k !== '__proto__' || Object.prototype.hasOwnProperty.call(properties, k))) {
        this.check(v, declared, structural);
      } else if (typeof additional === 'object') this.check(v, additional, structural);
      else if (structural && !preserve && additional !== true) {
        const fields = Object.keys(properties ?? {});
        this.report(
          v,
          "is not a field of the schema: the API server drops it (kubectl apply's strict field validation refuses the object)",
          fields.length === 0 ? 'no fields here' : `one of the fields ${fields.join(', ')}`,
        );
      }
      this.path.pop();
    }
    if (schema.maxProperties !== undefined && entries > schema.maxProperties) {
      this.report(entries, 'entries are more than the schema allows', `at most ${schema.maxProperties} entries`);
    }
    if (schema.minProperties !== undefined && entries < schema.minProperties) {
      const n = schema.minProperties;
      this.report(entries, 'entries are fewer than the schema allows', `at least ${n} entr${n === 1 ? 'y' : 'ies'}`);
    }
  }

  private passes(value: unknown, schema: StructuralSchema): boolean {
    // The alternatives of Istio's CRDs are mostly bare `required` lists: answered without a walk.
    if (schema.required !== undefined && Object.keys(schema).length === 1) {
      return !isPlainObject(value) || schema.required.every((r) => this.isSet(value[r]));
    }
    const before = this.failures;
    this.probing++;
    try {
      this.check(value, schema, false);
    } finally {
      this.probing--;
    }
    const ok = this.failures === before;
    this.failures = before; // a failing alternative is not a failure of the enclosing one
    return ok;
  }

  private isSet(v: unknown): boolean {
    return v !== undefined && !(v === null && this.nullIsUnset);
  }

  private checkCombinators(value: unknown, schema: StructuralSchema): void {
    if (schema.allOf !== undefined) {
      for (const s of schema.allOf) {
        if (!this.passes(value, s)) this.report(value, 'does not have the required shape', describeAlternative(s));
      }
    }
    if (schema.anyOf !== undefined && !schema.anyOf.some((s) => this.passes(value, s))) {
      this.report(
        value,
        'matches none of the alternatives',
        `one of: ${schema.anyOf.map(describeAlternative).join('; ')}`,
      );
    }
    if (schema.oneOf !== undefined) {
      const exclusive = atMostOneOf(schema.oneOf);
      if (exclusive !== undefined) {
        if (isPlainObject(value)) {
          const set = exclusive.filter((f) => this.isSet(value[f]));
          if (set.length > 1) {
            this.report(
              value,
              `sets ${set.map((f) => `"${f}"`).join(' and ')}`,
              `at most one of ${exclusive.map((f) => `"${f}"`).join(', ')}`,
            );
          }
        }
      } else {
        const matching = schema.oneOf.filter((s) => this.passes(value, s)).length;
        if (matching !== 1) {
          this.report(
            value,
            matching === 0 ? 'matches none of the alternatives' : `matches ${matching} of the alternatives`,
            `exactly one of: ${schema.oneOf.map(describeAlternative).join('; ')}`,
          );
        }
      }
    }
    if (schema.not !== undefined && this.passes(value, schema.not)) {
      this.report(value, 'has a shape the schema excludes', `not (${describeAlternative(schema.not)})`);
    }
  }
}

/**
 * Checks `value` against a structural schema as the Kubernetes API server validates a custom resource:
 * type (with `x-kubernetes-int-or-string` and `nullable`), unknown fields (those a schema does not declare,
 * except under `x-kubernetes-preserve-unknown-fields`, are reported: the API server prunes them), `required`,
 * `enum`, `items`, `minItems`/`maxItems`, `minLength`/`maxLength` (in Unicode code points, as Go counts),
 * `minProperties`/`maxProperties`, `minimum`/`maximum` (and exclusive), formats int32 and int64 (ranges: the
 * API server's decoder refuses them for built-in kinds; for custom resources it ignores these formats, and istiod's
 * decoding into int32 refuses the value),
 * `pattern` (RE2, unanchored, as Go's regexp), `oneOf`/`anyOf`/`allOf`/`not`, and duplicate entries of
 * `x-kubernetes-list-type` set and map lists.
 *
 * Not checked: the CEL rules (`x-kubernetes-validations`; the API server evaluates them, this validator
 * has no CEL interpreter), other formats (date-time, byte, ipv4, ...), and the Go validation of built-in
 * kinds beyond their schema (e.g. that a Service port is 1-65535).
 * @internal
 */
export function validateStructural(
  value: unknown,
  schema: StructuralSchema,
  options: StructuralOptions = {},
): SchemaViolation[] {
  const v = new Validator(options.nullIsUnset ?? false, options.resolve ?? generatedDef);
  v.check(value, schema);
  return v.violations;
}

/** The schema of a kind the library knows, loaded on first use. @internal */
export interface KindSchema {
  /** `<apiVersion>/<kind>`. */
  readonly key: string;
  /** Where it comes from: the CRD file, or the kubernetes-models release. */
  readonly source: string;
  /** Whether null means "not set" (built-in kinds). */
  readonly nullIsUnset: boolean;
  /** The root schema. */
  readonly schema: StructuralSchema;
}

const kindCache = new Map<string, KindSchema | null>();

/**
 * The schema of `apiVersion`/`kind` among the generated ones (every version of the imported Istio and
 * Gateway API CRDs, the Kubernetes kinds the library emits); undefined for other kinds.
 * @internal
 */
export function kindSchema(apiVersion: unknown, kind: unknown): KindSchema | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const key = `${apiVersion}/${kind}`;
  let cached = kindCache.get(key);
  if (cached === undefined) {
    const generated: GeneratedKindSchema | undefined = Object.prototype.hasOwnProperty.call(SCHEMA_KINDS, key)
      ? SCHEMA_KINDS[key]
      : undefined;
    cached =
      generated === undefined
        ? null
        : {
            key,
            source: generated.source,
            nullIsUnset: generated.nullIsUnset,
            schema: JSON.parse(generated.schema) as StructuralSchema,
          };
    kindCache.set(key, cached);
  }
  return cached ?? undefined;
}

/**
 * The schema violations of one manifest; undefined when its apiVersion/kind has no generated schema.
 * @internal
 */
export function manifestViolations(manifest: unknown): SchemaViolation[] | undefined {
  if (!isPlainObject(manifest)) return undefined;
  const schema = kindSchema(manifest.apiVersion, manifest.kind);
  if (schema === undefined) return undefined;
  return validateStructural(manifest, schema.schema, { nullIsUnset: schema.nullIsUnset });
}
