import { IstioRelease } from '../core/istio-release';
import { CheckContext, reportProblem } from './check-context';
import { CheckDefinition, MESH_CHECKS } from './findings';
import { asArray, IndexedObject } from './mesh-index';

/** Client TLS modes that originate TLS with a server certificate to verify. */
const ORIGINATING_MODES = new Set(['SIMPLE', 'MUTUAL']);

/**
 * DestinationRule client TLS without a CA to verify the server (destinationrule.CaCertificateAnalyzer):
 * the top-level `trafficPolicy.tls` (IST0128) and each `trafficPolicy.portLevelSettings[].tls`
 * (IST0129). Subset policies are not judged, as istioctl does not judge them.
 */
export function runTlsChecks(context: CheckContext): void {
  const destination = context.enabled(MESH_CHECKS.DR_TLS_NO_CA);
  const port = context.enabled(MESH_CHECKS.DR_PORT_TLS_NO_CA);
  if (!destination && !port) return;
  for (const dr of context.index.istio('DestinationRule')) {
    const policy = dr.manifest.spec?.trafficPolicy;
    if (destination) checkTls(context, MESH_CHECKS.DR_TLS_NO_CA, dr, policy?.tls, 'spec.trafficPolicy.tls');
    if (!port) continue;
    asArray(policy?.portLevelSettings).forEach((p, i) => {
      checkTls(
        context,
        MESH_CHECKS.DR_PORT_TLS_NO_CA,
        dr,
        p?.tls,
        `spec.trafficPolicy.portLevelSettings[${i}].tls`,
        p?.port?.number,
      );
    });
  }
}

function checkTls(
  context: CheckContext,
  check: CheckDefinition,
  dr: IndexedObject,
  tls: any,
  field: string,
  port?: unknown,
): void {
  if (tls === null || typeof tls !== 'object' || !ORIGINATING_MODES.has(tls.mode)) return;
  if (typeof tls.caCertificates === 'string' && tls.caCertificates !== '') return;
  // credentialName names a Secret only a proxy picked by workloadSelector (a gateway) can read.
  const selected = dr.manifest.spec?.workloadSelector !== undefined && dr.manifest.spec?.workloadSelector !== null;
  if (typeof tls.credentialName === 'string' && tls.credentialName !== '' && selected) return;
  const host = dr.manifest.spec?.host;
  const where = port === undefined ? `host ${host}` : `host ${host} port ${port}`;
  reportProblem(context, check, dr, {
    field,
    value: tls,
    problem: `originate ${tls.mode} TLS to ${where} without caCertificates, so ${verification(context.istioRelease, tls)}`,
    expected: `caCertificates with the CA that signs the server's certificate${tls.credentialName ? ' (credentialName is read only with a workloadSelector, by gateways)' : ''}, e.g. "/etc/ssl/certs/ca-certificates.crt" for public servers`,
  });
}

/** What the proxy does with the server certificate then, per release (1.20 began verifying against the system CAs). */
function verification(release: IstioRelease | undefined, tls: any): string {
  if (tls.insecureSkipVerify === true) return 'the server certificate is not verified at all (insecureSkipVerify)';
  if (release === undefined)
    return "the server certificate is checked only against the proxy image's system CA bundle (Istio 1.20+), or not at all (older releases), never against a CA of your choice";
  const [major, minor] = release.minor.split('.').map(Number);
  return major === 1 && minor < 20
    ? `Istio ${release.minor} does not verify the server certificate by default (anyone on the path can impersonate the server)`
    : `Istio ${release.minor} checks the server certificate only against the proxy image's system CA bundle, not against a CA of your choice`;
}
