import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkOwnableNamespace, isOwnableNamespace } from '../core/_owned-namespaces';
import { checkedProps } from '../core/_props-check';
import { checkResources } from '../core/_quantity';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { DATAPLANE_MODE_LABEL, DataplaneMode } from '../core/dataplane-mode';
import { checkDnsLabel, checkInteger, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { injectionPodLabels, SidecarInjection } from '../core/sidecar-injection';
import { VersionedWorkload, WorkloadVersion } from '../workload/versioned-workload';
import {
  BOOKINFO_PORT,
  bookinfoImages,
  bookinfoRelease,
  BookinfoReleaseData,
  bookinfoServiceExtras,
} from './_bookinfo-release';

/** Security settings applied to every Bookinfo pod and container. */
interface BookinfoPodSecurity {
  readonly pod?: k8s.PodSecurityContext;
  readonly container?: k8s.SecurityContext;
  readonly resources?: k8s.ResourceRequirements;
}

/** The versions of the reviews service that Istio ships. */
export type ReviewsVersion = 'v1' | 'v2' | 'v3';

const ALL_REVIEWS_VERSIONS: readonly ReviewsVersion[] = ['v1', 'v2', 'v3'];

/** How locked-down Bookinfo's pods are. */
export enum BookinfoPodSecurityProfile {
  /** What Istio's `bookinfo.yaml` does: `runAsUser: 1000` on 1.17, no security context on 1.30. */
  ISTIO_SAMPLE = 'istio-sample',
  /**
   * What Istio's `bookinfo-psa.yaml` does so Bookinfo runs where Pod Security Admission enforces the
   * "baseline" policy: each container gets `allowPrivilegeEscalation: false`, all capabilities dropped
   * and `runAsNonRoot: true`. Istio 1.30 only: 1.17 ships no such sample (its images are not checked
   * as non-root), so it is refused there; use RESTRICTED on 1.17.
   */
  BASELINE = 'baseline',
  /**
   * Meets the Kubernetes Pod Security Standards "restricted" profile: non-root user and group,
   * no privilege escalation, every capability dropped, `RuntimeDefault` seccomp, and resource
   * requests and limits. The writable `/tmp` (and Open Liberty output) emptyDirs stay.
   */
  RESTRICTED = 'restricted',
}

/** Props for {@link BookinfoApp}. */
export interface BookinfoAppProps {
  /**
   * The Istio release whose objects to emit (Bookinfo's images, security context, annotations).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * Namespace of every object.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Registry and repository prefix of the Bookinfo images.
   * @default the release's: 'docker.io/istio' (1.17), 'registry.istio.io/release' (1.30)
   */
  readonly imageRegistry?: string;
  /**
   * Tag of the Bookinfo images.
   * @default the release's: '1.17.0' (1.17), '1.20.3' (1.30)
   */
  readonly imageTag?: string;
  /**
   * Replicas of every Deployment.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Which reviews versions to run (v1 shows no stars, v2 black stars, v3 red stars).
   * @default ['v1', 'v2', 'v3']
   */
  readonly reviewsVersions?: readonly ReviewsVersion[];
  /**
   * How the pods get their Istio sidecar. See {@link SidecarInjection}. Only with
   * `DataplaneMode.SIDECAR`: ambient pods have none.
   * @default SidecarInjection.POD_LABEL in sidecar mode, SidecarInjection.NONE in ambient mode
   */
  readonly sidecarInjection?: SidecarInjection;
  /**
   * The data plane of the pods. `DataplaneMode.AMBIENT` labels each pod `istio.io/dataplane-mode=ambient`
   * (Istio 1.24 or later) and injects no sidecar; to enrol the whole namespace instead, keep `SIDECAR` with
   * `sidecarInjection: SidecarInjection.NONE` and label the namespace with a `MeshNamespace`.
   * @default DataplaneMode.SIDECAR
   */
  readonly dataplaneMode?: DataplaneMode;
  /**
   * Also emit a Service per version (`reviews-v1`, ...; Istio's `bookinfo-versions.yaml`), which Gateway API
   * routes send a version's traffic to. Each service's `versionServices` then names them.
   * @default false
   */
  readonly versionServices?: boolean;
  /**
   * Emit the `Namespace` object. Never done for `default`, which a manifest must not own.
   * @default true unless the cluster or Istio owns the namespace (`default`, `kube-*`, `istio-system`), which is never emitted
   */
  readonly createNamespace?: boolean;
  /**
   * Pod and container hardening.
   * @default BookinfoPodSecurityProfile.ISTIO_SAMPLE
   */
  readonly podSecurity?: BookinfoPodSecurityProfile;
  /**
   * Container resources, used with {@link BookinfoPodSecurityProfile.RESTRICTED} (which requires
   * requests and limits) or on their own.
   * @default none for ISTIO_SAMPLE; for RESTRICTED 100m CPU / 128Mi requested, 500m CPU / 512Mi limit
   */
  readonly resources?: k8s.ResourceRequirements;
}

const RESTRICTED_RESOURCES: k8s.ResourceRequirements = {
  requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
  limits: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('512Mi') },
};

const BOOKINFO_APP = typeMarker('BookinfoApp');

/**
 * Istio's Bookinfo sample: productpage, details, ratings and reviews (v1, v2, v3), each with
 * its Service, ServiceAccount and Deployments, labelled for Istio and Kiali.
 *
 * @example
 * const bookinfo = new BookinfoApp(chart, 'bookinfo');
 * bookinfo.reviews.versions; // ['v1', 'v2', 'v3']
 */
export class BookinfoApp extends Construct {
  /** True for a BookinfoApp, also one made by another copy of this library. */
  public static isBookinfoApp(x: unknown): x is BookinfoApp {
    return hasMarker(x, BOOKINFO_APP);
  }

  /** Namespace of every object. */
  public readonly namespace: string;
  /** The service the ingress gateway exposes (port 9080). */
  public readonly productpage: VersionedWorkload;
  /** Book details (v1). */
  public readonly details: VersionedWorkload;
  /** Star ratings (v1). */
  public readonly ratings: VersionedWorkload;
  /** Book reviews (the versions in `reviewsVersions`). */
  public readonly reviews: VersionedWorkload;
  /**
   * All four services, in the order productpage, details, ratings, reviews: what
   * {@link BookinfoDestinationRules} and {@link BookinfoScenario} take.
   */
  public readonly services: readonly VersionedWorkload[];
  /** The Namespace object, when this construct emits one. */
  public readonly namespaceObject?: k8s.KubeNamespace;
  /** The sidecar injection mode in effect. */
  public readonly sidecarInjection: SidecarInjection;
  /** The data plane of the pods. */
  public readonly dataplaneMode: DataplaneMode;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: BookinfoAppProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'BookinfoApp', props);
    markInstance(this, BOOKINFO_APP);
    // Cross-object checks (duplicate objects, Service port names, routes to these services) at synth.
    MeshAnalysis.of(this);
    this.release = IstioRelease.of(this, props.release);
    const data = bookinfoRelease(this.release);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    const images = bookinfoImages(this, data, props.imageRegistry, props.imageTag);
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 0, 1000);
    const reviewsVersions = this.resolveReviewsVersions(props.reviewsVersions);
    this.dataplaneMode = props.dataplaneMode ?? DataplaneMode.SIDECAR;
    if (!Object.values(DataplaneMode).includes(this.dataplaneMode))
      reject(this, 'dataplaneMode', this.dataplaneMode, `one of ${Object.values(DataplaneMode).join(', ')}`);
    const ambient = this.dataplaneMode === DataplaneMode.AMBIENT;
    if (ambient && this.release.isOlderThan(IstioRelease.V1_30)) {
      reject(
        this,
        'dataplaneMode',
        this.dataplaneMode,
        `DataplaneMode.SIDECAR on Istio ${this.release.version}: ambient mode is GA from 1.24, and the library supports it from IstioRelease.V1_30`,
      );
    }
    this.sidecarInjection = props.sidecarInjection ?? (ambient ? SidecarInjection.NONE : SidecarInjection.POD_LABEL);
    if (!Object.values(SidecarInjection).includes(this.sidecarInjection)) {
      reject(this, 'sidecarInjection', this.sidecarInjection, `one of ${Object.values(SidecarInjection).join(', ')}`);
    }
    if (ambient && this.sidecarInjection !== SidecarInjection.NONE) {
      reject(
        this,
        'sidecarInjection',
        this.sidecarInjection,
        'SidecarInjection.NONE (or nothing) with DataplaneMode.AMBIENT: an injected pod keeps its sidecar and ztunnel ignores it',
      );
    }
    const isDefault = this.namespace === 'default';
    if (this.sidecarInjection === SidecarInjection.NAMESPACE_LABEL && isDefault) {
      reject(
        this,
        'sidecarInjection',
        this.sidecarInjection,
        'POD_LABEL or NONE in the "default" namespace (a manifest must not own it; label it with `kubectl label namespace default istio-injection=enabled` instead)',
      );
    }
    const createNamespace = props.createNamespace ?? isOwnableNamespace(this.namespace);
    if (createNamespace) {
      checkOwnableNamespace(
        this,
        'createNamespace',
        this.namespace,
        'false, to deploy into it without owning it',
        true,
      );
    }
    if (!createNamespace && this.sidecarInjection === SidecarInjection.NAMESPACE_LABEL) {
      reject(
        this,
        'createNamespace',
        false,
        'true with SidecarInjection.NAMESPACE_LABEL (the label lives on the emitted Namespace); to label an existing namespace yourself use SidecarInjection.NONE',
      );
    }
    if (createNamespace) {
      this.namespaceObject = new k8s.KubeNamespace(this, 'Namespace', {
        metadata: {
          name: this.namespace,
          labels:
            this.sidecarInjection === SidecarInjection.NAMESPACE_LABEL ? { 'istio-injection': 'enabled' } : undefined,
        },
      });
    }

    const security = this.resolveSecurity(
      props.podSecurity ?? BookinfoPodSecurityProfile.ISTIO_SAMPLE,
      checkResources(this, 'resources', props.resources),
      data,
    );
    const podLabels = ambient ? { [DATAPLANE_MODE_LABEL]: 'ambient' } : injectionPodLabels(this.sidecarInjection);
    const versionServices = props.versionServices ?? false;
    const service = (name: string, versions: readonly string[]) =>
      new VersionedWorkload(this, name, {
        name,
        namespace: this.namespace,
        // The port name decides Istio's protocol selection: "http" makes it HTTP.
        ports: [{ name: 'http', port: BOOKINFO_PORT }],
        versions: versions.map((version): WorkloadVersion => ({
          version,
          image: images.image(`${name}-${version}`),
        })),
        replicas,
        serviceAccountName: `bookinfo-${name}`,
        podLabels,
        podSecurityContext: security.pod,
        securityContext: security.container,
        resources: security.resources,
        versionServices,
        ...bookinfoServiceExtras(name, data),
      });

    this.details = service('details', ['v1']);
    this.ratings = service('ratings', ['v1']);
    this.reviews = service('reviews', reviewsVersions);
    this.productpage = service('productpage', ['v1']);
    this.services = [this.productpage, this.details, this.ratings, this.reviews];
  }

  private resolveReviewsVersions(versions: readonly ReviewsVersion[] | undefined): ReviewsVersion[] {
    const resolved = [...(versions ?? ALL_REVIEWS_VERSIONS)];
    if (resolved.length === 0)
      reject(this, 'reviewsVersions', resolved, `a non-empty list of ${ALL_REVIEWS_VERSIONS.join(', ')}`);
    const seen = new Set<string>();
    for (const v of resolved) {
      if (!ALL_REVIEWS_VERSIONS.includes(v))
        reject(this, 'reviewsVersions', v, `one of ${ALL_REVIEWS_VERSIONS.join(', ')}`);
      if (seen.has(v)) reject(this, 'reviewsVersions', resolved, 'each version at most once');
      seen.add(v);
    }
    return resolved;
  }

  private resolveSecurity(
    profile: BookinfoPodSecurityProfile,
    resources: k8s.ResourceRequirements | undefined,
    data: BookinfoReleaseData,
  ): BookinfoPodSecurity {
    switch (profile) {
      case BookinfoPodSecurityProfile.ISTIO_SAMPLE:
        return { container: data.containerSecurity, resources };
      case BookinfoPodSecurityProfile.BASELINE:
        if (data.psaContainerSecurity === undefined)
          reject(
            this,
            'podSecurity',
            profile,
            `a profile Istio ${this.release.minor} supports: its samples have no bookinfo-psa.yaml (use ${BookinfoPodSecurityProfile.RESTRICTED}, or release 1.30)`,
          );
        return { container: data.psaContainerSecurity, resources };
      case BookinfoPodSecurityProfile.RESTRICTED:
        return {
          pod: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          container: {
            runAsUser: 1000,
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
          resources: resources ?? RESTRICTED_RESOURCES,
        };
      default:
        return reject(this, 'podSecurity', profile, `one of ${Object.values(BookinfoPodSecurityProfile).join(', ')}`);
    }
  }
}
