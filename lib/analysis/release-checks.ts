import { CheckContext, reportProblem } from './check-context';
import { MESH_CHECKS } from './findings';

/**
 * Checks against the Istio release the mesh runs: an API version it does not serve is refused by
 * the API server, and a construct made for another release emits images, config formats and API
 * versions that are not supported there (Kiali, for one, supports only its matching Istio versions).
 */
export function runReleaseChecks(context: CheckContext): void {
  const release = context.istioRelease;
  if (release === undefined) return;

  const unserved = MESH_CHECKS.API_VERSION_UNSERVED;
  if (context.enabled(unserved)) {
    for (const o of context.index.objects) {
      const served = release.servedVersions(o.group, o.kind);
      if (served === undefined) continue; // not an Istio kind
      const version = String(o.manifest.apiVersion ?? '').split('/')[1] ?? '';
      if (served.includes(version)) continue;
      reportProblem(context, unserved, o, {
        field: 'apiVersion',
        value: o.manifest.apiVersion,
        problem:
          served.length === 0
            ? `is not served by ${release} (${release.version}), which has no ${o.kind} kind`
            : `is not served by ${release} (${release.version}), so applying it fails with "no matches for kind"`,
        expected:
          served.length === 0
            ? `no ${o.kind} on ${release}, or a mesh of a release that has it`
            : `one of ${served.map((v) => `${o.group}/${v}`).join(', ')} (the construct's release prop, or IstioRelease.use on its App)`,
      });
    }
  }

  const mismatch = MESH_CHECKS.RELEASE_MISMATCH;
  if (context.enabled(mismatch)) {
    const reported: string[] = [];
    for (const fact of context.releases) {
      if (fact.release.minor === release.minor) continue;
      // Report a construct once, not again for each construct it made with the same release.
      if (reported.some((p) => fact.path.startsWith(`${p}/`))) continue;
      reported.push(fact.path);
      reportProblem(
        context,
        mismatch,
        { path: fact.path, kind: fact.kind },
        {
          field: 'release',
          value: fact.release.toString(),
          problem: `is not the mesh's release: the mesh runs ${release} (${release.version}), and ${fact.kind} emits ${fact.release}'s objects (${fact.release.version}), which are not supported on it`,
          expected: `${release}: drop the construct's release prop, or declare one release for the App with IstioRelease.use`,
        },
      );
    }
  }
}
