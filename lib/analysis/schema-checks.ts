import { KindSchema, kindSchema, SchemaViolation, validateStructural } from '../core/_structural-schema';
import { sessionCached } from '../core/_synth-session';
import { CheckContext, reportProblem } from './check-context';
import { MESH_CHECKS } from './findings';

/** The annotation `kubectl apply` (client-side) stores the applied object in. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** The API server's limit on all annotations of an object together (keys and values, in bytes). */
export const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

const SCHEMA_RESULTS = Symbol('the schema violations and annotation size of a manifest');
/** Manifests rendered by a typed class with no JSON patch, outside strict mode (see MeshAnalysis). */
const TYPED_OUTPUT = new WeakSet<object>();

/**
 * Marks `manifest` as rendered by a typed class (an imported CRD class, a cdk8s-plus Kube* class) that
 * no JSON patch touched: BKI-SCHEMA-INVALID skips it, BKI-OBJECT-TOO-LARGE still measures it.
 * @internal
 */
export function markTypedOutput(manifest: object): void {
  TYPED_OUTPUT.add(manifest);
}
const RESULTS_BY_TEXT = Symbol('the schema results of the manifests of a session, by their JSON');
const SESSION = {};

/** What the checks need of one manifest: its schema, its size, and its violations (found when first asked for). */
class SchemaResult {
  private found?: readonly SchemaViolation[];

  constructor(
    readonly schema: KindSchema,
    private readonly manifest: unknown,
    readonly size: AnnotationBytes,
  ) {}

  get violations(): readonly SchemaViolation[] {
    this.found ??= validateStructural(this.manifest, this.schema.schema, { nullIsUnset: this.schema.nullIsUnset });
    return this.found;
  }
}

/**
 * What the checks need of one manifest; undefined for a kind without a schema. Within a synthesis session,
 * manifests of the same JSON share one result: a baseline's objects are rendered for its own synth and again
 * beneath every app on top of it.
 */
function schemaResult(manifest: any): SchemaResult | undefined {
  const schema = kindSchema(manifest.apiVersion, manifest.kind);
  if (schema === undefined) return undefined;
  const json = JSON.stringify(manifest) ?? '';
  const byText = sessionCached(RESULTS_BY_TEXT, SESSION, () => new Map<string, SchemaResult>());
  let result = byText.get(json);
  if (result === undefined) {
    result = new SchemaResult(schema, manifest, annotationBytes(manifest, json));
    byText.set(json, result);
  }
  return result;
}

/**
 * The last check on the output: every object of a kind the library has a schema for (every version of
 * the imported Istio and Gateway API CRDs, the Kubernetes kinds the library emits) is validated against
 * it, as the API server validates it (BKI-SCHEMA-INVALID), and no object is too large for the annotation
 * `kubectl apply` writes (BKI-OBJECT-TOO-LARGE). Objects of other kinds are left to the release checks.
 */
export function runSchemaChecks(context: CheckContext): void {
  const schemaCheck = MESH_CHECKS.SCHEMA_INVALID;
  const sizeCheck = MESH_CHECKS.OBJECT_TOO_LARGE;
  const checkSchema = context.enabled(schemaCheck);
  const checkSize = context.enabled(sizeCheck);
  if (!checkSchema && !checkSize) return;
  for (const o of context.index.objects) {
    // Within a synthesis session a baseline's objects are analysed under every app on top of it: once here.
    const result = sessionCached(SCHEMA_RESULTS, o.manifest, () => schemaResult(o.manifest));
    if (result === undefined) continue;
    const { schema } = result;
    if (checkSchema && !TYPED_OUTPUT.has(o.manifest)) {
      for (const v of result.violations) {
        reportProblem(context, schemaCheck, o, {
          field: v.path,
          value: v.value,
          problem: v.problem,
          expected: `${v.allowed} (the schema of ${schema.key.replace(/\/([^/]*)$/, ' $1')}, from ${schema.source})`,
        });
      }
    }
    if (checkSize) {
      const size = result.size;
      if (size.total <= ANNOTATIONS_SIZE_LIMIT) continue;
      reportProblem(context, sizeCheck, o, {
        field: `metadata.annotations["${LAST_APPLIED_ANNOTATION}"]`,
        value: size.lastApplied,
        problem:
          `bytes: the copy of the object that kubectl apply stores there makes the annotations ${size.total} bytes, ` +
          `over the API server's limit of ${ANNOTATIONS_SIZE_LIMIT} bytes for all annotations of an object (kubectl apply fails: "metadata.annotations: Too long: must have at most ${ANNOTATIONS_SIZE_LIMIT} bytes")`,
        expected:
          'an object whose JSON stays under 256 KiB: split it (e.g. one VirtualService per host or per group of routes), ' +
          'or apply it with `kubectl apply --server-side`, which stores no such copy',
      });
    }
  }
}

/** The size of an object's annotations once kubectl apply has added its own. */
export interface AnnotationBytes {
  /** Bytes of the last-applied-configuration value. */
  readonly lastApplied: number;
  /** Bytes of all annotations, keys and values. */
  readonly total: number;
}

/**
 * The bytes of the annotations of `manifest` once `kubectl apply` (client-side) has added its
 * last-applied-configuration: the object without that annotation, encoded as kubectl encodes it (Go's
 * encoding/json: compact, `<`, `>`, `&`, U+2028 and U+2029 escaped, a final newline), plus the
 * annotation's key and every other annotation's key and value (the API server's count: UTF-8 bytes).
 * `json` is `JSON.stringify(manifest)` when the caller has it. A lone surrogate counts six bytes (JSON.stringify's
 * escape) where Go writes U+FFFD in three: an over-estimate, never an under-estimate.
 */
export function annotationBytes(manifest: any, json?: string): AnnotationBytes {
  const annotations: Record<string, unknown> =
    manifest?.metadata?.annotations !== null && typeof manifest?.metadata?.annotations === 'object'
      ? manifest.metadata.annotations
      : {};
  let others = 0;
  let object: any = undefined;
  for (const [k, v] of Object.entries(annotations)) {
    if (v === undefined) continue;
    if (k === LAST_APPLIED_ANNOTATION) {
      // kubectl encodes the object without its previous last-applied-configuration.
      const { [LAST_APPLIED_ANNOTATION]: _previous, ...rest } = annotations;
      const { annotations: _all, ...metadata } = manifest.metadata;
      object = {
        ...manifest,
        metadata: Object.keys(rest).length === 0 ? metadata : { ...metadata, annotations: rest },
      };
    } else others += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : String(v));
  }
  // JSON.stringify escapes as Go does (quotes, backslashes, control characters), but for what Go's
  // encoder escapes on top: < > & (one byte becomes six) and U+2028, U+2029 (three bytes become six).
  const text = (object === undefined ? (json ?? JSON.stringify(manifest)) : JSON.stringify(object)) ?? '';
  let lastApplied = Buffer.byteLength(text) + 1;
  if (GO_ESCAPED.test(text)) lastApplied += 5 * count(text, HTML_ESCAPED) + 3 * count(text, LINE_SEPARATORS);
  return { lastApplied, total: others + Buffer.byteLength(LAST_APPLIED_ANNOTATION) + lastApplied };
}

const GO_ESCAPED = /[<>&\u2028\u2029]/;
const HTML_ESCAPED = /[<>&]/g;
const LINE_SEPARATORS = /[\u2028\u2029]/g;

function count(s: string, re: RegExp): number {
  return s.match(re)?.length ?? 0;
}
