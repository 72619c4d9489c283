/**
 * Freezes `value` and the plain data inside it, and returns it. The library's presets and value
 * objects (IngressGateway.ISTIOCTL, IstioRelease.V1_30, Percent.of(50)) are shared by every
 * construct that uses them: a caller changing one (`IngressGateway.ISTIOCTL.selector.istio = 'x'`)
 * would silently change every other use, so they cannot be changed. Typed arrays are left as they
 * are (JavaScript cannot freeze their elements).
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}
