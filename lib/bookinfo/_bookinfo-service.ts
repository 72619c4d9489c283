import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import { meshServiceFqdn } from '../core/mesh-service';
import { VersionServices } from '../routing/version-services';
import { IBookinfoService } from './bookinfo-service';

/** A writable emptyDir that a Bookinfo container needs. */
export interface ScratchVolume {
  /** Volume name. */
  readonly name: string;
  /** Where the container mounts it. */
  readonly mountPath: string;
}

/** Security settings applied to every Bookinfo pod and container. */
export interface BookinfoPodSecurity {
  /** Pod-level security context, if any. */
  readonly pod?: k8s.PodSecurityContext;
  /** Container-level security context, if any. */
  readonly container?: k8s.SecurityContext;
  /** Container resources, if any. */
  readonly resources?: k8s.ResourceRequirements;
}

/** Props for {@link BookinfoService}. */
export interface BookinfoServiceProps {
  /** Service name and `app` label, e.g. `reviews`. */
  readonly name: string;
  /** Namespace of every object. */
  readonly namespace: string;
  /** Container port and Service port. */
  readonly port: number;
  /** The versions to deploy, one Deployment each. */
  readonly versions: readonly string[];
  /** Image for a version. */
  readonly image: (version: string) => string;
  /** Replicas per Deployment. */
  readonly replicas: number;
  /** Extra pod template labels (sidecar injection). */
  readonly podLabels: Record<string, string>;
  /** Pod template annotations (none when empty or absent). */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Environment variables of the container. */
  readonly env: readonly k8s.EnvVar[];
  /** emptyDir volumes the container writes to; listed in the order the pod declares them. */
  readonly scratchVolumes: readonly ScratchVolume[];
  /** Security contexts and resources. */
  readonly security: BookinfoPodSecurity;
  /** Also a Service per version (`<name>-<version>`), for Gateway API routes; none when absent. */
  readonly versionServices?: boolean;
}

/**
 * One Bookinfo microservice: its Service, its ServiceAccount (`bookinfo-<name>`) and a
 * Deployment per version (`<name>-<version>`), labelled the way Istio's sample labels them
 * (`app`, `version`, `service`, `account`) so that DestinationRule subsets and Kiali work.
 * Internal: users see it as an {@link IBookinfoService}; the props are what {@link BookinfoApp} decides.
 */
export class BookinfoService extends Construct implements IBookinfoService {
  public readonly serviceName: string;
  public readonly namespace: string;
  public readonly port: number;
  public readonly versions: readonly string[];
  public readonly versionServices?: Readonly<Record<string, string>>;
  /** Cluster-local FQDN, e.g. `reviews.default.svc.cluster.local`. */
  public readonly fqdn: string;
  /** The name of the ServiceAccount the pods run as. */
  public readonly serviceAccountName: string;
  /** The Kubernetes Service. */
  public readonly service: k8s.KubeService;
  /** The ServiceAccount. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The Deployment of each version, keyed by version. */
  public readonly deployments: Readonly<Record<string, k8s.KubeDeployment>>;

  constructor(scope: Construct, id: string, props: BookinfoServiceProps) {
    super(scope, id);
    this.serviceName = props.name;
    this.namespace = props.namespace;
    this.port = props.port;
    this.versions = [...props.versions];
    this.fqdn = meshServiceFqdn(this);
    this.serviceAccountName = `bookinfo-${props.name}`;

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { app: props.name, service: props.name },
      },
      spec: {
        // The port name decides Istio's protocol selection: "http" makes it HTTP.
        ports: [{ port: props.port, name: 'http' }],
        selector: { app: props.name },
      },
    });

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name: this.serviceAccountName,
        namespace: props.namespace,
        labels: { account: props.name },
      },
    });

    const deployments: Record<string, k8s.KubeDeployment> = {};
    for (const version of props.versions) {
      deployments[version] = this.addDeployment(version, props);
    }
    this.deployments = deployments;
    if (props.versionServices) {
      this.versionServices = new VersionServices(this, 'VersionServices', {
        service: this,
      }).meshService.versionServices;
    }
  }

  private addDeployment(version: string, props: BookinfoServiceProps): k8s.KubeDeployment {
    const selector = { app: props.name, version };
    const volumes = props.scratchVolumes;
    return new k8s.KubeDeployment(this, `Deployment-${version}`, {
      metadata: {
        name: `${props.name}-${version}`,
        namespace: props.namespace,
        labels: selector,
      },
      spec: {
        replicas: props.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: { ...selector, ...props.podLabels },
            annotations: Object.keys(props.podAnnotations ?? {}).length > 0 ? { ...props.podAnnotations } : undefined,
          },
          spec: {
            serviceAccountName: this.serviceAccountName,
            securityContext: props.security.pod,
            containers: [
              {
                name: props.name,
                image: props.image(version),
                imagePullPolicy: 'IfNotPresent',
                env: props.env.length > 0 ? [...props.env] : undefined,
                ports: [{ containerPort: props.port }],
                volumeMounts:
                  volumes.length > 0 ? volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })) : undefined,
                securityContext: props.security.container,
                resources: props.security.resources,
              },
            ],
            volumes: volumes.length > 0 ? volumes.map((v) => ({ name: v.name, emptyDir: {} })) : undefined,
          },
        },
      },
    });
  }
}
