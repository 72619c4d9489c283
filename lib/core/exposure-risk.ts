import { IConstruct } from 'constructs';

/**
 * Implemented by targets that are dangerous to publish as they are, such as an addon dashboard
 * that grants anonymous users admin rights. The mesh analysis reports `BKI-EXPOSURE-RISK` (a
 * warning, or an error with the exposing construct's `strict`) when such a target is exposed
 * without TLS and an access restriction.
 */
export interface IExposureRisk {
  /**
   * Why exposing this target is risky, e.g. "Kiali runs with auth.strategy anonymous: anyone who
   * reaches it can change mesh configuration"; `undefined` when it is safe to expose.
   */
  readonly exposureRisk?: string;
}

/** The exposure risk `target` declares, if it implements {@link IExposureRisk}. */
export function exposureRiskOf(target: unknown): string | undefined {
  if (target === null || typeof target !== 'object' || !('exposureRisk' in target)) return undefined;
  const risk = (target as IExposureRisk).exposureRisk;
  return typeof risk === 'string' && risk.trim().length > 0 ? risk : undefined;
}

/**
 * A risky target published outside the mesh, as the mesh analysis checks it (`BKI-EXPOSURE-RISK`):
 * constructs that publish a target declare one, and the analysis collects them from the construct tree.
 */
export interface ExposureFact {
  /** Construct path of the publishing construct, e.g. `app/addons/kiali-exposure`. */
  readonly path: string;
  /** What publishes it, quoted in findings, e.g. `ExposedService`. */
  readonly kind: string;
  /** The published target as `<name>.<namespace>`. */
  readonly target: string;
  /** The public hosts. */
  readonly hosts: readonly string[];
  /** The risk the target declares ({@link IExposureRisk.exposureRisk}). */
  readonly risk: string;
  /** Whether the hosts are served over TLS. */
  readonly tls: boolean;
  /** Whether access is restricted (client address ranges or a required token). */
  readonly restricted: boolean;
  /** Whether an unprotected exposure is an error rather than a warning. */
  readonly strict: boolean;
}

// Symbol.for: the marker is found across copies of this library in one program.
const EXPOSURE = Symbol.for('cdk8s-istio-bookinfo.ExposureFact');

/** Marks `construct` as publishing a risky target; the mesh analysis reads it with {@link exposureFactOf}. */
export function declareExposure(construct: IConstruct, fact: ExposureFact): void {
  Object.defineProperty(construct, EXPOSURE, { value: fact, configurable: true });
}

/** The exposure `construct` declared, if any. */
export function exposureFactOf(construct: IConstruct): ExposureFact | undefined {
  return (construct as unknown as Record<symbol, ExposureFact | undefined>)[EXPOSURE];
}
