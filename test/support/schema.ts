/**
 * Independent schema validation of synthesized manifests, so that a misspelled or
 * misplaced field fails a test instead of being dropped by the API server.
 *
 * - Kubernetes kinds: `kubernetes-models` checks types, required fields and formats; a
 *   field-name check walks the object through the generated cdk8s `k8s.toJson_*` mappers,
 *   which keep only the fields the Kubernetes OpenAPI schema defines.
 * - Istio kinds: ajv over the CRD's openAPIV3Schema (the file `cdk8s import` reads), made
 *   strict: an object with declared properties accepts no others.
 */
import Ajv, { ValidateFunction } from 'ajv';
import { k8s } from 'cdk8s-plus-27';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

import { manifestViolations } from '../../lib/core/_structural-schema';

type Json = Record<string, any>;

const KUBE_MODELS: Record<string, string> = {
  'v1/Service': 'kubernetes-models/v1/Service',
  'v1/ServiceAccount': 'kubernetes-models/v1/ServiceAccount',
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'v1/Namespace': 'kubernetes-models/v1/Namespace',
  'v1/PersistentVolumeClaim': 'kubernetes-models/v1/PersistentVolumeClaim',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'apps/v1/StatefulSet': 'kubernetes-models/apps/v1/StatefulSet',
  'apps/v1/DaemonSet': 'kubernetes-models/apps/v1/DaemonSet',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding':
    'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1/Role': 'kubernetes-models/rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'batch/v1/Job': 'kubernetes-models/batch/v1/Job',
  'networking.k8s.io/v1/Ingress': 'kubernetes-models/networking.k8s.io/v1/Ingress',
  'networking.k8s.io/v1/NetworkPolicy': 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
};

const CDK8S_MAPPERS: Record<string, (x: any) => any> = {
  Service: k8s.toJson_KubeServiceProps,
  ServiceAccount: k8s.toJson_KubeServiceAccountProps,
  ConfigMap: k8s.toJson_KubeConfigMapProps,
  Secret: k8s.toJson_KubeSecretProps,
  Namespace: k8s.toJson_KubeNamespaceProps,
  PersistentVolumeClaim: k8s.toJson_KubePersistentVolumeClaimProps,
  Deployment: k8s.toJson_KubeDeploymentProps,
  StatefulSet: k8s.toJson_KubeStatefulSetProps,
  DaemonSet: k8s.toJson_KubeDaemonSetProps,
  ClusterRole: k8s.toJson_KubeClusterRoleProps,
  ClusterRoleBinding: k8s.toJson_KubeClusterRoleBindingProps,
  Role: k8s.toJson_KubeRoleProps,
  RoleBinding: k8s.toJson_KubeRoleBindingProps,
  PodDisruptionBudget: k8s.toJson_KubePodDisruptionBudgetProps,
  Job: k8s.toJson_KubeJobProps,
  Ingress: k8s.toJson_KubeIngressProps,
  NetworkPolicy: k8s.toJson_KubeNetworkPolicyProps,
};

const LEAF = Symbol('leaf');
/** JSON field names that the generated mappers take under another property name. */
const MAPPER_PROPERTY_NAMES: Record<string, string> = { nonResourceURLs: 'nonResourceUrLs', clusterIP: 'clusterIp' };

/** Wraps every primitive so the mappers pass it through whatever its declared type (Quantity, IntOrString). */
function wrapLeaves(x: any): any {
  if (Array.isArray(x)) return x.map(wrapLeaves);
  if (x !== null && typeof x === 'object') {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [MAPPER_PROPERTY_NAMES[k] ?? k, wrapLeaves(v)]));
  }
  return { [LEAF]: true, value: x };
}

/** Paths of fields present in `actual` that the mapped copy dropped. */
function unknownFields(actual: any, mapped: any, at: string): string[] {
  if (actual === null || typeof actual !== 'object') return [];
  if (/^\.spec\.volumeClaimTemplates\[\d+\]$/.test(at)) {
    const { apiVersion: _a, kind: _k, ...claim } = actual;
    actual = claim; // checked in schemaErrors
  }
  if (mapped === undefined) return [at];
  if (mapped !== null && typeof mapped === 'object' && (mapped as any)[LEAF]) return [];
  if (Array.isArray(actual)) return actual.flatMap((v, i) => unknownFields(v, mapped?.[i], `${at}[${i}]`));
  return Object.entries(actual).flatMap(([k, v]) => {
    if (v === undefined) return [];
    if (mapped === null || typeof mapped !== 'object' || !(k in mapped)) return [`${at}.${k}`];
    return unknownFields(v, mapped[k], `${at}.${k}`);
  });
}

let istioSchemas: Map<string, any> | undefined;
const istioValidators = new Map<string, ValidateFunction>();
// Formats such as int32 and binary are checked by the API server; ajv would only warn about them.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

/** The ajv validator for an imported CRD (`group/version/Kind`), compiled on first use. */
function istioValidator(key: string): ValidateFunction | undefined {
  if (!istioSchemas) istioSchemas = new Map(Object.entries(crdSchemas()));
  if (!istioValidators.has(key) && istioSchemas.has(key)) istioValidators.set(key, ajv.compile(istioSchemas.get(key)));
  return istioValidators.get(key);
}

/**
 * The strict schema of every version of every CRD in imports/crds, by `group/version/Kind`. Parsing
 * the 0.8 MB of YAML costs ~0.5 s, and every test file that validates objects would pay it (jest gives
 * each its own modules), so the result is kept on disk, keyed by the files' content.
 */
function crdSchemas(): Record<string, any> {
  const dir = path.join(__dirname, '..', '..', 'imports', 'crds');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const texts = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
  const hash = createHash('sha256');
  hash.update('strict CRD schemas 1\0');
  for (const [i, f] of files.entries()) hash.update(`${f}\0${texts[i]}\0`);
  const cacheDir = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'crd-schemas');
  const cached = path.join(cacheDir, `${hash.digest('hex').slice(0, 32)}.json`);
  try {
    return JSON.parse(fs.readFileSync(cached, 'utf8'));
  } catch {
    // not cached yet (or unreadable): build it below
  }
  const schemas: Record<string, any> = {};
  for (const text of texts) {
    for (const doc of YAML.parseAllDocuments(text)) {
      const crd = doc.toJS();
      for (const version of crd.spec.versions) {
        const schema = strictSchema(version.schema.openAPIV3Schema);
        schema.properties = {
          ...schema.properties,
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: { type: 'object' },
        };
        schemas[`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`] = schema;
      }
    }
  }
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(schemas));
    fs.renameSync(tmp, cached); // atomic: a concurrent worker never reads half a file
  } catch {
    // a read-only tree: no cache, the same schemas
  }
  return schemas;
}

/** Copies a structural schema, forbidding properties it does not declare. */
function strictSchema(schema: any): any {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith('x-kubernetes-')) continue;
    out[k] =
      k === 'properties'
        ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictSchema(s)]))
        : strictSchema(v);
  }
  if (
    schema.type === 'object' &&
    schema.properties &&
    !schema['x-kubernetes-preserve-unknown-fields'] &&
    schema.additionalProperties === undefined
  ) {
    // Istio CRDs express "one of" with oneOf/anyOf over required fields; keep those, forbid the rest.
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Schema errors of one manifest object; empty when it is valid. Both validators judge it: this file's
 * (ajv, kubernetes-models) and the library's own (lib/core/_structural-schema.ts, BKI-SCHEMA-INVALID), so
 * that the output they are run on (every file of dist/, in dist.test.ts and task-files.test.ts)
 * cross-checks the one the library ships.
 */
export function schemaErrors(obj: Json): string[] {
  const id = `${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
  return [...independentSchemaErrors(obj, id), ...runtimeSchemaErrors(obj, id)];
}

/** The library's own validator alone (no ajv compile of the CRDs: ~1 s per test file that used it). */
function runtimeSchemaErrors(obj: Json, id = `${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`) {
  const runtime = manifestViolations(obj);
  if (runtime === undefined) return [`${id}: no runtime schema for ${obj.apiVersion} ${obj.kind}`];
  return runtime.map(
    (v) => `${id}: runtime schema: ${v.path} ${JSON.stringify(v.value)} ${v.problem}; expected ${v.allowed}`,
  );
}

function independentSchemaErrors(obj: Json, id: string): string[] {
  const apiVersion: string = obj.apiVersion;
  if (apiVersion.includes('istio.io') || apiVersion.startsWith('gateway.networking.k8s.io/')) {
    const validate = istioValidator(`${apiVersion}/${obj.kind}`);
    if (!validate) return [`${id}: no schema for ${apiVersion} ${obj.kind}`];
    if (validate(obj)) return [];
    return (validate.errors ?? []).map((e) => `${id}: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }
  const modelPath = KUBE_MODELS[`${apiVersion}/${obj.kind}`];
  const mapper = CDK8S_MAPPERS[obj.kind];
  if (!modelPath || !mapper) return [`${id}: no schema for ${apiVersion} ${obj.kind}`];
  const errors: string[] = [];

  const Model = require(modelPath)[obj.kind];
  try {
    new Model(obj).validate();
  } catch (e) {
    errors.push(`${id}: ${(e as Error).message}`);
  }
  const { apiVersion: _a, kind: _k, ...body } = obj;
  // A StatefulSet's claim templates are PersistentVolumeClaims and may carry their apiVersion and kind,
  // which the generated PersistentVolumeClaim mapper does not know; they must then be exactly these.
  for (const [i, t] of (obj.kind === 'StatefulSet' ? (obj.spec?.volumeClaimTemplates ?? []) : []).entries()) {
    if (t.apiVersion !== undefined && t.apiVersion !== 'v1')
      errors.push(
        `${id}: .spec.volumeClaimTemplates[${i}].apiVersion is ${JSON.stringify(t.apiVersion)}, expected "v1"`,
      );
    if (t.kind !== undefined && t.kind !== 'PersistentVolumeClaim')
      errors.push(
        `${id}: .spec.volumeClaimTemplates[${i}].kind is ${JSON.stringify(t.kind)}, expected "PersistentVolumeClaim"`,
      );
  }
  const mapped = mapper(wrapLeaves(body));
  errors.push(...unknownFields(body, mapped, '').map((p) => `${id}: unknown field ${p}`));
  return errors;
}

/**
 * Schema errors of every object in a manifest list, by the library's validator: what the tests of
 * constructs' output use. The committed output (dist/) is judged by both validators
 * ({@link crossCheckedSchemaErrors}), which is where the two are held against each other.
 */
export function allSchemaErrors(objects: Json[]): string[] {
  return objects.flatMap((o) => runtimeSchemaErrors(o));
}

/** Schema errors of every object in a manifest list, by both validators ({@link schemaErrors}). */
export function crossCheckedSchemaErrors(objects: Json[]): string[] {
  return objects.flatMap(schemaErrors);
}
