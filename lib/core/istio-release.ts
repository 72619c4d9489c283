import { IConstruct } from 'constructs';

import { deepFreeze } from './_frozen';
import { hasMarker, markInstance, typeMarker } from './_type-marker';
import { reject } from './input-validation';

/**
 * The minor versions of the Istio releases the library knows. Adding a release adds its minor version
 * here, and the compiler then names every per-release table (`ReleaseTable`) that lacks it.
 */
export type IstioReleaseMinor = '1.17' | '1.30';

/**
 * Per-release values of one construct (image tags, ports, config formats), one entry per release.
 * @internal
 */
export type ReleaseTable<T> = Readonly<Record<IstioReleaseMinor, T>>;

/** The facts of one Istio release that do not belong to a single construct. */
interface IstioReleaseOptions {
  /** The minor version, e.g. `1.30`. */
  readonly minor: IstioReleaseMinor;
  /** The release's patch version whose samples the constructs reproduce, e.g. `1.30.3`. */
  readonly version: string;
  /**
   * The API version of `networking.istio.io` objects (Gateway, VirtualService, DestinationRule):
   * the newest one the release serves.
   */
  readonly networkingApiVersion: string;
  /** The API version of `security.istio.io` objects (PeerAuthentication, AuthorizationPolicy, RequestAuthentication). */
  readonly securityApiVersion: string;
}

/**
 * The versions each release serves of each Istio kind (`group/Kind`), from its CRDs
 * (`crd-all.gen.yaml`): what `kubectl apply` accepts on a cluster running that release.
 */
const SERVED_VERSIONS: ReleaseTable<Readonly<Record<string, readonly string[]>>> = {
  '1.17': {
    'extensions.istio.io/WasmPlugin': ['v1alpha1'],
    'networking.istio.io/DestinationRule': ['v1alpha3', 'v1beta1'],
    'networking.istio.io/EnvoyFilter': ['v1alpha3'],
    'networking.istio.io/Gateway': ['v1alpha3', 'v1beta1'],
    'networking.istio.io/ProxyConfig': ['v1beta1'],
    'networking.istio.io/ServiceEntry': ['v1alpha3', 'v1beta1'],
    'networking.istio.io/Sidecar': ['v1alpha3', 'v1beta1'],
    'networking.istio.io/VirtualService': ['v1alpha3', 'v1beta1'],
    'networking.istio.io/WorkloadEntry': ['v1alpha3', 'v1beta1'],
    'networking.istio.io/WorkloadGroup': ['v1alpha3', 'v1beta1'],
    'security.istio.io/AuthorizationPolicy': ['v1', 'v1beta1'],
    'security.istio.io/PeerAuthentication': ['v1beta1'],
    'security.istio.io/RequestAuthentication': ['v1', 'v1beta1'],
    'telemetry.istio.io/Telemetry': ['v1alpha1'],
  },
  '1.30': {
    'extensions.istio.io/TrafficExtension': ['v1alpha1'],
    'extensions.istio.io/WasmPlugin': ['v1alpha1'],
    'networking.istio.io/DestinationRule': ['v1', 'v1alpha3', 'v1beta1'],
    'networking.istio.io/EnvoyFilter': ['v1alpha3'],
    'networking.istio.io/Gateway': ['v1', 'v1alpha3', 'v1beta1'],
    'networking.istio.io/ProxyConfig': ['v1beta1'],
    'networking.istio.io/ServiceEntry': ['v1', 'v1alpha3', 'v1beta1'],
    'networking.istio.io/Sidecar': ['v1', 'v1alpha3', 'v1beta1'],
    'networking.istio.io/VirtualService': ['v1', 'v1alpha3', 'v1beta1'],
    'networking.istio.io/WorkloadEntry': ['v1', 'v1alpha3', 'v1beta1'],
    'networking.istio.io/WorkloadGroup': ['v1', 'v1alpha3', 'v1beta1'],
    'security.istio.io/AuthorizationPolicy': ['v1', 'v1beta1'],
    'security.istio.io/PeerAuthentication': ['v1', 'v1beta1'],
    'security.istio.io/RequestAuthentication': ['v1', 'v1beta1'],
    'telemetry.istio.io/Telemetry': ['v1', 'v1alpha1'],
  },
};

/** The API groups of Istio's own kinds. */
const ISTIO_GROUPS = new Set(['extensions.istio.io', 'networking.istio.io', 'security.istio.io', 'telemetry.istio.io']);

const IS_ISTIO_RELEASE = typeMarker('IstioRelease');
/** The release declared for a construct and everything below it (see {@link IstioRelease.use}). */
const declared = new WeakMap<IConstruct, IstioRelease>();

/**
 * The Istio release a construct targets: which images, API versions, ports and config formats it
 * emits. Each construct takes a `release` prop; without it, the construct follows the release declared
 * for its scope with {@link IstioRelease.use} (on the App, a Chart or any construct above it), and
 * without that, {@link IstioRelease.LATEST}.
 *
 * A release is identified by its minor version: the constructs keep, per release, the values of
 * Istio's own samples of that release (`samples/bookinfo`, `samples/addons`, `samples/curl`).
 *
 * @example
 * const app = new App();
 * IstioRelease.use(app, IstioRelease.V1_17); // the whole app emits Istio 1.17's objects
 */
export class IstioRelease {
  /** Istio 1.17 (samples of 1.17.1): `v1beta1` APIs, Bookinfo 1.17.0, the `sleep` client. */
  public static readonly V1_17 = new IstioRelease({
    minor: '1.17',
    version: '1.17.1',
    networkingApiVersion: 'networking.istio.io/v1beta1',
    securityApiVersion: 'security.istio.io/v1beta1',
  });

  /** Istio 1.30 (samples of 1.30.3): `v1` APIs, Bookinfo 1.20.3, the `curl` client, Loki. */
  public static readonly V1_30 = new IstioRelease({
    minor: '1.30',
    version: '1.30.3',
    networkingApiVersion: 'networking.istio.io/v1',
    securityApiVersion: 'security.istio.io/v1',
  });

  /** The newest release the library knows. */
  public static readonly LATEST = IstioRelease.V1_30;

  /**
   * The release of a construct whose scope declares none: the newest, so that code without a declaration
   * gets objects that run on today's Istio. Pin a release with {@link IstioRelease.use} to keep an app's
   * output unchanged when a library update adds a newer one.
   */
  public static readonly DEFAULT: IstioRelease = IstioRelease.LATEST;

  /** Every release the library knows, oldest first. */
  public static readonly ALL: readonly IstioRelease[] = Object.freeze([IstioRelease.V1_17, IstioRelease.V1_30]);

  /** True for an IstioRelease (also across copies of this library). */
  public static isIstioRelease(x: unknown): x is IstioRelease {
    return hasMarker(x, IS_ISTIO_RELEASE);
  }

  /**
   * Declares the release for `scope` and everything below it that does not set its own `release`.
   * Declare it before adding the constructs: each construct resolves its release once, when it is created.
   */
  public static use(scope: IConstruct, release: IstioRelease): void {
    if (!IstioRelease.isIstioRelease(release)) {
      reject(
        scope,
        'release',
        release,
        `an IstioRelease: one of ${IstioRelease.ALL.map((r) => r.toString()).join(', ')}`,
      );
    }
    declared.set(scope, IstioRelease.known(release));
  }

  /**
   * The release a construct in `scope` targets: `explicit` when given (a construct's `release` prop),
   * else the nearest release declared with {@link IstioRelease.use} on `scope` or above it, else
   * {@link IstioRelease.DEFAULT}.
   */
  public static of(scope: IConstruct, explicit?: IstioRelease): IstioRelease {
    if (explicit !== undefined) {
      if (!IstioRelease.isIstioRelease(explicit)) {
        reject(
          scope,
          'release',
          explicit,
          `an IstioRelease: one of ${IstioRelease.ALL.map((r) => r.toString()).join(', ')}`,
        );
      }
      return IstioRelease.known(explicit);
    }
    for (const c of [...scope.node.scopes].reverse()) {
      const release = declared.get(c);
      if (release !== undefined) return release;
    }
    return IstioRelease.DEFAULT;
  }

  /** A release object of another copy of the library, mapped to this copy's (same version). */
  private static known(release: IstioRelease): IstioRelease {
    return IstioRelease.ALL.find((r) => r.version === release.version) ?? release;
  }

  /** The patch version whose samples are reproduced, e.g. `1.30.3`. */
  public readonly version: string;
  /** The minor version that identifies the release, e.g. `1.30`. */
  public readonly minor: IstioReleaseMinor;
  /** The `apiVersion` of the `networking.istio.io` objects the constructs emit. */
  public readonly networkingApiVersion: string;
  /** The `apiVersion` of the `security.istio.io` objects the constructs emit. */
  public readonly securityApiVersion: string;

  private constructor(options: IstioReleaseOptions) {
    markInstance(this, IS_ISTIO_RELEASE);
    this.version = options.version;
    this.minor = options.minor;
    this.networkingApiVersion = options.networkingApiVersion;
    this.securityApiVersion = options.securityApiVersion;
    deepFreeze(this);
  }

  /**
   * The versions this release serves of an Istio kind (e.g. `networking.istio.io`, `VirtualService`):
   * empty for an Istio kind the release does not have, `undefined` for a group that is not Istio's.
   */
  public servedVersions(group: string, kind: string): readonly string[] | undefined {
    if (!ISTIO_GROUPS.has(group)) return undefined;
    return SERVED_VERSIONS[this.minor][`${group}/${kind}`] ?? [];
  }

  /** Whether this release is older than `other`. */
  public isOlderThan(other: IstioRelease): boolean {
    const [a, b] = [this, other].map((r) => r.minor.split('.').map(Number));
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  }

  /** The release as users write it: `Istio 1.30`. */
  public toString(): string {
    return `Istio ${this.minor}`;
  }
}

/**
 * The value of `table` for `release`.
 * @internal
 */
export function releaseValue<T>(table: ReleaseTable<T>, release: IstioRelease): T {
  return table[release.minor];
}
