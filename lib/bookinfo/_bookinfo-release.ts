import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { IConstruct } from 'constructs';

import { parseImageReference } from '../core/_image-reference';
import { checkNonEmpty, imageReference, reject } from '../core/input-validation';
import { IstioRelease, ReleaseTable, releaseValue } from '../core/istio-release';
import { ScratchVolume } from '../workload/versioned-workload';

/** The port every Bookinfo service listens on. */
export const BOOKINFO_PORT = 9080;

/** What each release's `samples/bookinfo/platform/kube/` files have in common. */
export interface BookinfoReleaseData {
  /** Registry and repository prefix of the images. */
  readonly imageRegistry: string;
  /** Tag of the images. */
  readonly imageTag: string;
  /** The Bookinfo containers' security context, if any (the databases have none on any release). */
  readonly containerSecurity?: k8s.SecurityContext;
  /** productpage's pod annotations. */
  readonly productpageAnnotations: Readonly<Record<string, string>>;
  /** The containers' security context in `bookinfo-psa.yaml`; absent where the release has no such sample. */
  readonly psaContainerSecurity?: k8s.SecurityContext;
  /** The MongoDB container's arguments in `bookinfo-db.yaml`. */
  readonly mongodbArgs: readonly string[];
  /** Whether the release ships the dual-stack files (`bookinfo-dualstack.yaml`, ...). */
  readonly dualStack: boolean;
}

const RELEASES: ReleaseTable<BookinfoReleaseData> = {
  '1.17': {
    imageRegistry: 'docker.io/istio',
    imageTag: '1.17.0',
    containerSecurity: { runAsUser: 1000 },
    productpageAnnotations: {},
    mongodbArgs: [],
    dualStack: false,
  },
  '1.30': {
    imageRegistry: 'registry.istio.io/release',
    imageTag: '1.20.3',
    containerSecurity: undefined,
    // Upstream spells the capability in lower case; the runtime matches capability names case-insensitively.
    psaContainerSecurity: { allowPrivilegeEscalation: false, capabilities: { drop: ['all'] }, runAsNonRoot: true },
    // productpage serves Prometheus metrics on its own port.
    productpageAnnotations: {
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(BOOKINFO_PORT),
      'prometheus.io/path': '/metrics',
    },
    // So MongoDB also listens on IPv6, for the dual-stack samples.
    mongodbArgs: ['--ipv6', '--bind_ip_all'],
    dualStack: true,
  },
};

/** The release's Bookinfo facts. */
export function bookinfoRelease(release: IstioRelease): BookinfoReleaseData {
  return releaseValue(RELEASES, release);
}

/** Where a construct's Bookinfo images come from, checked. */
export interface BookinfoImages {
  /** `examples-bookinfo-<name>` (e.g. `details-v2`, `mongodb`) in the registry, with the tag. */
  image(name: string): string;
}

/** The `imageRegistry` and `imageTag` props, each defaulting to the release's, checked together. */
export function bookinfoImages(
  scope: IConstruct,
  data: BookinfoReleaseData,
  imageRegistry: string | undefined,
  imageTag: string | undefined,
): BookinfoImages {
  const registry = checkNonEmpty(
    scope,
    'imageRegistry',
    imageRegistry ?? data.imageRegistry,
    'an image registry and repository prefix such as "docker.io/istio", without a trailing "/"',
  );
  if (registry.endsWith('/') || /\s/.test(registry))
    reject(scope, 'imageRegistry', registry, 'a registry prefix without whitespace or a trailing "/"');
  const tag = imageTag ?? data.imageTag;
  // Every image is `<registry>/examples-bookinfo-<name>`: the registry passes if one of them does.
  const probe = parseImageReference(`${registry}/examples-bookinfo-productpage-v1`);
  if (typeof probe === 'string')
    reject(
      scope,
      'imageRegistry',
      registry,
      `an image registry and repository prefix such as "docker.io/istio", as the kubelet parses image references (${probe})`,
    );
  imageReference(
    scope,
    { field: 'imageRegistry', value: `${registry}/examples-bookinfo-productpage-v1`, example: 'docker.io/istio' },
    { field: 'imageTag', value: tag },
  );
  return { image: (name) => `${registry}/examples-bookinfo-${name}:${tag}` };
}

/** What a Bookinfo service's pods need besides image and port, the same in every file that runs them. */
export interface BookinfoServiceExtras {
  readonly env?: k8s.EnvVar[];
  readonly scratchVolumes?: ScratchVolume[];
  readonly podAnnotations?: Record<string, string>;
}

/** The env, writable volumes and annotations of one of the four Bookinfo services. */
export function bookinfoServiceExtras(name: string, data: BookinfoReleaseData): BookinfoServiceExtras {
  const tmp: ScratchVolume = { name: 'tmp', mountPath: '/tmp' };
  switch (name) {
    case 'reviews':
      return {
        env: [{ name: 'LOG_DIR', value: '/tmp/logs' }],
        // Open Liberty writes its logs and workarea under /opt/ibm/wlp/output.
        scratchVolumes: [{ name: 'wlp-output', mountPath: '/opt/ibm/wlp/output' }, tmp],
      };
    case 'productpage':
      return { podAnnotations: { ...data.productpageAnnotations }, scratchVolumes: [tmp] };
    default:
      return {};
  }
}
