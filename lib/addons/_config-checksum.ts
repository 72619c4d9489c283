import { createHash } from 'crypto';

/**
 * The pod template annotation that carries {@link configChecksum}. Kubernetes only rolls a
 * Deployment when its pod template changes, so putting the config's hash there makes a
 * ConfigMap edit restart the pods that read it.
 */
export const CONFIG_CHECKSUM_ANNOTATION = 'checksum/config';

/**
 * Hex SHA-256 of a ConfigMap's `data`, serialized as JSON with keys sorted so that the
 * order in which entries were added does not change the hash.
 */
export function configChecksum(data: Record<string, string>): string {
  const sorted = Object.keys(data)
    .sort()
    .map((key) => [key, data[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}
