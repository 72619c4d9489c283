import { IConstruct } from 'constructs';

import { MeshServicePort } from './mesh-service';

/**
 * A service that lives outside the app (deployed by Helm, another repository or another namespace),
 * declared so that the mesh analysis resolves its host, ports and versions like one of the app's own.
 * @internal
 */
export interface DeclaredServiceFact {
  /** Construct path of the declaring construct, quoted in findings. */
  readonly path: string;
  /** The Service name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Its ports. */
  readonly ports: readonly MeshServicePort[];
  /** The `version` label values of its pods (empty: unversioned). */
  readonly versions: readonly string[];
  /** Its per-version Services, by version. */
  readonly versionServices: Readonly<Record<string, string>>;
}

// Symbol.for: the marker is found across copies of this library in one program.
const DECLARED_SERVICE = Symbol.for('cdk8s-istio-bookinfo.DeclaredServiceFact');

/**
 * Marks `construct` as declaring a service outside the app; the mesh analysis reads it with {@link declaredServiceOf}.
 * @internal
 */
export function declareService(construct: IConstruct, fact: DeclaredServiceFact): void {
  Object.defineProperty(construct, DECLARED_SERVICE, { value: fact, configurable: true });
}

/**
 * The service `construct` declared, if any.
 * @internal
 */
export function declaredServiceOf(construct: IConstruct): DeclaredServiceFact | undefined {
  return (construct as unknown as Record<symbol, DeclaredServiceFact | undefined>)[DECLARED_SERVICE];
}
