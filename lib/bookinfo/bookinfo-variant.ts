import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, checkDnsSubdomain, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { injectionPodLabels, SidecarInjection } from '../core/sidecar-injection';
import { VersionedWorkload, VersionedWorkloadProps, WorkloadVersion } from '../workload/versioned-workload';
import { BOOKINFO_PORT, bookinfoImages, bookinfoRelease, bookinfoServiceExtras } from './_bookinfo-release';

/**
 * The variant files of Istio's `samples/bookinfo/platform/kube/`, each named after its file: extra
 * versions, the databases, single services, and other ways to expose or address the app. Each is
 * an overlay on top of a {@link BookinfoApp} (or a replacement for it: `BOOKINFO_DUALSTACK`).
 */
export enum BookinfoVariantName {
  /** details alone: its Service and details-v1 (for running services in separate namespaces or clusters). */
  BOOKINFO_DETAILS = 'bookinfo-details',
  /** details-v2, which fetches book details from Google Books (with `DO_NOT_ENCRYPT`: plain HTTP). */
  BOOKINFO_DETAILS_V2 = 'bookinfo-details-v2',
  /** ratings alone: its Service and ratings-v1. */
  BOOKINFO_RATINGS = 'bookinfo-ratings',
  /** The ratings Service only, so that clients find ratings pods run elsewhere (on a VM, in another cluster). */
  BOOKINFO_RATINGS_DISCOVERY = 'bookinfo-ratings-discovery',
  /** ratings-v2, reading ratings from MongoDB (`BOOKINFO_DB`), with its own ServiceAccount. */
  BOOKINFO_RATINGS_V2 = 'bookinfo-ratings-v2',
  /** ratings v2-mysql: the v2 image reading ratings from MySQL (`BOOKINFO_MYSQL`). */
  BOOKINFO_RATINGS_V2_MYSQL = 'bookinfo-ratings-v2-mysql',
  /** ratings v2-mysql-vm: the v2 image reading ratings from MySQL on a VM, registered as `mysqldb` in namespace `vm`. */
  BOOKINFO_RATINGS_V2_MYSQL_VM = 'bookinfo-ratings-v2-mysql-vm',
  /** reviews-v2 alone (black stars). */
  BOOKINFO_REVIEWS_V2 = 'bookinfo-reviews-v2',
  /** MongoDB (`mongodb`, port 27017), the ratings database of ratings-v2. */
  BOOKINFO_DB = 'bookinfo-db',
  /** MySQL (`mysqldb`, port 3306) and its root password Secret, the ratings database of v2-mysql. */
  BOOKINFO_MYSQL = 'bookinfo-mysql',
  /** The productpage Service as a NodePort, for clusters without an ingress gateway load balancer. */
  PRODUCTPAGE_NODEPORT = 'productpage-nodeport',
  /** A Kubernetes Ingress of class `istio` (by annotation) sending Bookinfo's paths to productpage. */
  BOOKINFO_INGRESS = 'bookinfo-ingress',
  /** All of Bookinfo on a dual-stack cluster: every Service `RequireDualStack`. Istio 1.30 only. */
  BOOKINFO_DUALSTACK = 'bookinfo-dualstack',
  /** details alone with a dual-stack (IPv6 first) Service. Istio 1.30 only. */
  BOOKINFO_DETAILS_DUALSTACK = 'bookinfo-details-dualstack',
  /** ratings alone with a dual-stack (IPv6 first) Service. Istio 1.30 only. */
  BOOKINFO_RATINGS_DUALSTACK = 'bookinfo-ratings-dualstack',
  /** The ratings Service only, dual-stack (IPv6 first). Istio 1.30 only. */
  BOOKINFO_RATINGS_DISCOVERY_DUALSTACK = 'bookinfo-ratings-discovery-dualstack',
}

const DUAL_STACK_VARIANTS: readonly BookinfoVariantName[] = [
  BookinfoVariantName.BOOKINFO_DUALSTACK,
  BookinfoVariantName.BOOKINFO_DETAILS_DUALSTACK,
  BookinfoVariantName.BOOKINFO_RATINGS_DUALSTACK,
  BookinfoVariantName.BOOKINFO_RATINGS_DISCOVERY_DUALSTACK,
];

/** The variants whose ratings read a MySQL password. */
const MYSQL_CLIENTS: readonly BookinfoVariantName[] = [
  BookinfoVariantName.BOOKINFO_RATINGS_V2_MYSQL,
  BookinfoVariantName.BOOKINFO_RATINGS_V2_MYSQL_VM,
];

/** Props for {@link BookinfoVariant}. */
export interface BookinfoVariantProps {
  /** Which file. */
  readonly variant: BookinfoVariantName;
  /**
   * The Istio release whose objects to emit (Bookinfo's images and security context).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * Namespace of every object: the Bookinfo app's, for an overlay.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Registry and repository prefix of the images.
   * @default the release's: 'docker.io/istio' (1.17), 'registry.istio.io/release' (1.30)
   */
  readonly imageRegistry?: string;
  /**
   * Tag of the images.
   * @default the release's: '1.17.0' (1.17), '1.20.3' (1.30)
   */
  readonly imageTag?: string;
  /**
   * How the pods get their Istio sidecar: as the app's beneath, so the new pods join the mesh like its.
   * `SidecarInjection.NAMESPACE_LABEL` is refused (no variant emits the Namespace): label it and use NONE.
   * @default SidecarInjection.POD_LABEL
   */
  readonly sidecarInjection?: SidecarInjection;
  /**
   * The hardened variant: ratings' `MYSQL_DB_PASSWORD`, a plain env value in Istio's samples, is read from
   * the credentials Secret (`valueFrom.secretKeyRef`, key `rootpasswd`) like MySQL's own root password.
   * Variants without a database password ignore it.
   * @default false: as Istio's samples
   */
  readonly passwordsFromSecret?: boolean;
  /**
   * Name of the Secret holding the MySQL root password (key `rootpasswd`), read by MySQL and, with
   * `passwordsFromSecret`, by ratings. Variants without a database password ignore it.
   * @default 'mysql-credentials', as Istio's bookinfo-mysql.yaml
   */
  readonly credentialsSecretName?: string;
  /**
   * Emit the credentials Secret (with Istio's sample password). Turn off for `BOOKINFO_MYSQL` when you
   * create the Secret yourself with a password of your own; turn on for a ratings MySQL variant with
   * `passwordsFromSecret` whose database is not installed by `BOOKINFO_MYSQL` (the VM one).
   * @default true for BOOKINFO_MYSQL, false for the others
   */
  readonly createCredentialsSecret?: boolean;
}

/** The password of Istio's MySQL sample (its Secret holds it, its ratings clients write it in plain). */
const SAMPLE_MYSQL_PASSWORD = 'password';
/** The Secret key of the MySQL root password. */
const ROOT_PASSWORD_KEY = 'rootpasswd';
const MYSQL_PORT = 3306;
const MONGODB_PORT = 27017;

/** The paths Istio's Ingress sends to productpage: the same as bookinfo-gateway's. */
const INGRESS_PATHS: readonly { readonly path: string; readonly pathType: 'Exact' | 'Prefix' }[] = [
  { path: '/productpage', pathType: 'Exact' },
  { path: '/static/', pathType: 'Prefix' },
  { path: '/login', pathType: 'Exact' },
  { path: '/logout', pathType: 'Exact' },
  { path: '/api/v1/products', pathType: 'Prefix' },
];

/** The IP families of each service in Istio's dual-stack files (IPv6 first for the backends productpage calls). */
const DUAL_STACK_FAMILIES: Readonly<Record<string, readonly ('IPv4' | 'IPv6')[]>> = {
  details: ['IPv6', 'IPv4'],
  ratings: ['IPv6', 'IPv4'],
  reviews: ['IPv4', 'IPv6'],
  productpage: ['IPv4', 'IPv6'],
};

/** How a Bookinfo service's objects differ from the app's in one file. */
interface BookinfoPart {
  readonly versions: readonly WorkloadVersion[];
  readonly createService?: boolean;
  readonly createDeployments?: boolean;
  /** The ServiceAccount the pods run as; otherwise the namespace's `default`, as in the single-service files. */
  readonly serviceAccountName?: string;
  readonly dualStack?: boolean;
  readonly serviceType?: 'NodePort';
}

const BOOKINFO_VARIANT = typeMarker('BookinfoVariant');

/**
 * One of Istio's Bookinfo variant files (`samples/bookinfo/platform/kube/`), to apply on top of a
 * {@link BookinfoApp} in the same namespace: another version (details-v2, ratings-v2 with its
 * database), a service on its own, a NodePort or an Ingress in front of productpage, or the dual-stack
 * app. Route to the new versions with {@link BookinfoScenario} (`VIRTUAL_SERVICE_RATINGS_DB`, ...).
 *
 * @example
 * new BookinfoVariant(chart, 'mongodb', { variant: BookinfoVariantName.BOOKINFO_DB });
 * new BookinfoVariant(chart, 'ratings-v2', { variant: BookinfoVariantName.BOOKINFO_RATINGS_V2 });
 */
export class BookinfoVariant extends Construct {
  /** True for a BookinfoVariant, also one made by another copy of this library. */
  public static isBookinfoVariant(x: unknown): x is BookinfoVariant {
    return hasMarker(x, BOOKINFO_VARIANT);
  }

  /** The variants the samples of `release` have (the dual-stack ones from 1.30). */
  public static variantsOf(release: IstioRelease): readonly BookinfoVariantName[] {
    const all = Object.values(BookinfoVariantName);
    return bookinfoRelease(release).dualStack ? all : all.filter((v) => !DUAL_STACK_VARIANTS.includes(v));
  }

  /** The variant built. */
  public readonly variant: BookinfoVariantName;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;
  /** Namespace of every object. */
  public readonly namespace: string;
  /** The services (and their versions) it emits, keyed by service name, e.g. `ratings` or `mongodb`. */
  public readonly workloads: Readonly<Record<string, VersionedWorkload>>;
  /** The credentials Secret, when this variant emits it. */
  public readonly credentialsSecret?: k8s.KubeSecret;
  /** The Ingress of `BOOKINFO_INGRESS`. */
  public readonly ingress?: k8s.KubeIngress;

  constructor(scope: Construct, id: string, props: BookinfoVariantProps) {
    super(scope, id);
    props = checkedProps(this, 'BookinfoVariant', props);
    markInstance(this, BOOKINFO_VARIANT);
    // Cross-object checks (duplicates, port names, subsets now backed by pods) at synth.
    MeshAnalysis.of(this);
    if (props === null || typeof props !== 'object') reject(this, 'props', props, 'BookinfoVariantProps');
    this.release = IstioRelease.of(this, props.release);
    const data = bookinfoRelease(this.release);
    const variant = props.variant;
    if (!Object.values(BookinfoVariantName).includes(variant))
      reject(this, 'variant', variant, `one of ${Object.values(BookinfoVariantName).join(', ')}`);
    if (!BookinfoVariant.variantsOf(this.release).includes(variant))
      reject(
        this,
        'variant',
        variant,
        `a variant Istio ${this.release.minor} ships: its samples have no dual-stack files (use release 1.30)`,
      );
    this.variant = variant;
    const namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    this.namespace = namespace;
    const images = bookinfoImages(this, data, props.imageRegistry, props.imageTag);
    const injection = props.sidecarInjection ?? SidecarInjection.POD_LABEL;
    if (injection !== SidecarInjection.POD_LABEL && injection !== SidecarInjection.NONE)
      reject(
        this,
        'sidecarInjection',
        injection,
        `${SidecarInjection.POD_LABEL} or ${SidecarInjection.NONE}: a variant emits no Namespace to label`,
      );
    const podLabels = injectionPodLabels(injection);

    // The MySQL root password: from the Secret, or as the sample writes it.
    const readsPassword = variant === BookinfoVariantName.BOOKINFO_MYSQL || MYSQL_CLIENTS.includes(variant);
    const fromSecret = variant === BookinfoVariantName.BOOKINFO_MYSQL || (props.passwordsFromSecret ?? false);
    const secretName = checkDnsSubdomain(
      this,
      'credentialsSecretName',
      props.credentialsSecretName ?? 'mysql-credentials',
    );
    const createSecret = props.createCredentialsSecret ?? variant === BookinfoVariantName.BOOKINFO_MYSQL;
    if (createSecret && !(readsPassword && fromSecret))
      reject(
        this,
        'createCredentialsSecret',
        true,
        `false or nothing for ${variant}: it reads no password from a Secret (only ${BookinfoVariantName.BOOKINFO_MYSQL}, and the ratings MySQL variants with passwordsFromSecret)`,
      );
    const password = (name: string): k8s.EnvVar =>
      fromSecret
        ? { name, valueFrom: { secretKeyRef: { name: secretName, key: ROOT_PASSWORD_KEY } } }
        : { name, value: SAMPLE_MYSQL_PASSWORD };
    if (createSecret) {
      this.credentialsSecret = new k8s.KubeSecret(this, 'credentials', {
        metadata: { name: secretName, namespace },
        type: 'Opaque',
        data: { [ROOT_PASSWORD_KEY]: Buffer.from(SAMPLE_MYSQL_PASSWORD).toString('base64') },
      });
    }

    const workloads: Record<string, VersionedWorkload> = {};
    const add = (workload: VersionedWorkloadProps) => {
      workloads[workload.name] = new VersionedWorkload(this, workload.name, { namespace, podLabels, ...workload });
    };
    const version = (v: string, image: string, extra: Partial<WorkloadVersion> = {}): WorkloadVersion => ({
      version: v,
      image: images.image(image),
      ...extra,
    });
    const bookinfo = (name: string, part: BookinfoPart) =>
      add({
        name,
        // The port name decides Istio's protocol selection: "http" makes it HTTP.
        ports: [{ name: 'http', port: BOOKINFO_PORT }],
        versions: part.versions,
        securityContext: data.containerSecurity,
        createService: part.createService,
        createDeployments: part.createDeployments,
        ...(part.serviceAccountName !== undefined
          ? { serviceAccountName: part.serviceAccountName }
          : { useDefaultServiceAccount: true }),
        serviceType: part.serviceType,
        ...(part.dualStack
          ? { ipFamilyPolicy: 'RequireDualStack' as const, ipFamilies: DUAL_STACK_FAMILIES[name] }
          : {}),
        ...bookinfoServiceExtras(name, data),
      });
    const v1 = (name: string) => [version('v1', `${name}-v1`)];
    const mysqlClient = (v: string, host: string) =>
      bookinfo('ratings', {
        createService: false,
        versions: [
          version(v, 'ratings-v2', {
            env: [
              { name: 'DB_TYPE', value: 'mysql' },
              { name: 'MYSQL_DB_HOST', value: host },
              { name: 'MYSQL_DB_PORT', value: String(MYSQL_PORT) },
              { name: 'MYSQL_DB_USER', value: 'root' },
              password('MYSQL_DB_PASSWORD'),
            ],
          }),
        ],
      });

    switch (variant) {
      case BookinfoVariantName.BOOKINFO_DETAILS:
      case BookinfoVariantName.BOOKINFO_DETAILS_DUALSTACK:
        bookinfo('details', { versions: v1('details'), dualStack: variant !== BookinfoVariantName.BOOKINFO_DETAILS });
        break;
      case BookinfoVariantName.BOOKINFO_DETAILS_V2:
        bookinfo('details', {
          createService: false,
          // Google Books over plain HTTP, so the sidecar can originate TLS (egress-rule-google-apis).
          versions: [version('v2', 'details-v2', { env: [{ name: 'DO_NOT_ENCRYPT', value: 'true' }] })],
        });
        break;
      case BookinfoVariantName.BOOKINFO_RATINGS:
      case BookinfoVariantName.BOOKINFO_RATINGS_DUALSTACK:
        bookinfo('ratings', { versions: v1('ratings'), dualStack: variant !== BookinfoVariantName.BOOKINFO_RATINGS });
        break;
      case BookinfoVariantName.BOOKINFO_RATINGS_DISCOVERY:
      case BookinfoVariantName.BOOKINFO_RATINGS_DISCOVERY_DUALSTACK:
        bookinfo('ratings', {
          versions: v1('ratings'),
          createDeployments: false,
          dualStack: variant !== BookinfoVariantName.BOOKINFO_RATINGS_DISCOVERY,
        });
        break;
      case BookinfoVariantName.BOOKINFO_RATINGS_V2:
        bookinfo('ratings', {
          createService: false,
          // The only variant with an account of its own, so policies can single out the database client.
          serviceAccountName: 'bookinfo-ratings-v2',
          versions: [
            version('v2', 'ratings-v2', {
              env: [{ name: 'MONGO_DB_URL', value: `mongodb://mongodb:${MONGODB_PORT}/test` }],
            }),
          ],
        });
        break;
      case BookinfoVariantName.BOOKINFO_RATINGS_V2_MYSQL:
        mysqlClient('v2-mysql', 'mysqldb');
        break;
      case BookinfoVariantName.BOOKINFO_RATINGS_V2_MYSQL_VM:
        // Where `istioctl register -n vm mysqldb <ip> 3306` makes the VM's database known to the mesh.
        mysqlClient('v2-mysql-vm', 'mysqldb.vm.svc.cluster.local');
        break;
      case BookinfoVariantName.BOOKINFO_REVIEWS_V2:
        bookinfo('reviews', { createService: false, versions: [version('v2', 'reviews-v2')] });
        break;
      case BookinfoVariantName.BOOKINFO_DB:
        add({
          name: 'mongodb',
          // "mongo" makes Istio parse the MongoDB protocol.
          ports: [{ name: 'mongo', port: MONGODB_PORT }],
          versions: [version('v1', 'mongodb', { args: data.mongodbArgs })],
          scratchVolumes: [{ name: 'data-db', mountPath: '/data/db' }],
          useDefaultServiceAccount: true,
        });
        break;
      case BookinfoVariantName.BOOKINFO_MYSQL:
        add({
          name: 'mysqldb',
          // Plain TCP: Istio has no MySQL filter enabled by default.
          ports: [{ name: 'tcp', port: MYSQL_PORT }],
          versions: [version('v1', 'mysqldb')],
          env: [password('MYSQL_ROOT_PASSWORD')],
          // The ratings image's MySQL client predates caching_sha2_password.
          args: ['--default-authentication-plugin', 'mysql_native_password'],
          scratchVolumes: [{ name: 'var-lib-mysql', mountPath: '/var/lib/mysql' }],
          useDefaultServiceAccount: true,
        });
        break;
      case BookinfoVariantName.PRODUCTPAGE_NODEPORT:
        bookinfo('productpage', { versions: v1('productpage'), createDeployments: false, serviceType: 'NodePort' });
        break;
      case BookinfoVariantName.BOOKINFO_INGRESS:
        this.ingress = new k8s.KubeIngress(this, 'ingress', {
          metadata: { name: 'gateway', namespace, annotations: { 'kubernetes.io/ingress.class': 'istio' } },
          spec: {
            rules: [
              {
                http: {
                  paths: INGRESS_PATHS.map((p) => ({
                    path: p.path,
                    pathType: p.pathType,
                    backend: { service: { name: 'productpage', port: { number: BOOKINFO_PORT } } },
                  })),
                },
              },
            ],
          },
        });
        break;
      case BookinfoVariantName.BOOKINFO_DUALSTACK:
        for (const [name, versions] of [
          ['details', ['v1']],
          ['ratings', ['v1']],
          ['reviews', ['v1', 'v2', 'v3']],
          ['productpage', ['v1']],
        ] as const)
          bookinfo(name, {
            versions: versions.map((v) => version(v, `${name}-${v}`)),
            serviceAccountName: `bookinfo-${name}`,
            dualStack: true,
          });
        break;
    }
    this.workloads = workloads;
  }
}
