/**
 * Implemented by targets that are dangerous to publish as they are, such as an addon dashboard
 * that grants anonymous users admin rights. {@link ExposedService} warns (or, with `strict`, fails)
 * when such a target is exposed without TLS and an access restriction.
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
