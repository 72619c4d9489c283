import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

import { Gateway } from '../../imports/gatewayapi-gateway.networking.k8s.io';
import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { USE_WAYPOINT_LABEL } from '../core/dataplane-mode';
import { IKubernetesGateway } from '../core/gateway';
import { checkDnsLabel, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { IWorkloadIdentity } from '../core/workload-identity';
import { checkAmbientRelease } from './_ambient-release';

/**
 * The label naming the namespace of the waypoint that `istio.io/use-waypoint` names, when it is not
 * the labelled object's own.
 * @internal
 */
export const USE_WAYPOINT_NAMESPACE_LABEL = 'istio.io/use-waypoint-namespace';

/** The Gateway label that says which traffic a waypoint processes. */
const WAYPOINT_FOR_LABEL = 'istio.io/waypoint-for';

/** Which traffic a waypoint processes: the Gateway label `istio.io/waypoint-for`. */
export enum WaypointFor {
  /** Traffic addressed to a Service enrolled in the waypoint (Istio's default). */
  SERVICE = 'service',
  /** Traffic addressed to a pod's own IP, of pods enrolled in the waypoint. */
  WORKLOAD = 'workload',
  /** Both Service-addressed and workload-addressed traffic. */
  ALL = 'all',
  /** No traffic: the waypoint is deployed but processes nothing. */
  NONE = 'none',
}

/** Props for {@link Waypoint}. */
export interface WaypointProps {
  /**
   * The Istio release whose objects to emit. Ambient mode needs Istio 1.24 or later: `IstioRelease.V1_17` is refused.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * The Gateway's name; Istio names the waypoint's Deployment, Service and ServiceAccount after it.
   * @default 'waypoint' (as `istioctl waypoint apply` does)
   */
  readonly name?: string;
  /**
   * The namespace the waypoint runs in.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Which traffic the waypoint processes (the `istio.io/waypoint-for` label).
   * @default no label: Istio's default, Service-addressed traffic (`WaypointFor.SERVICE`)
   */
  readonly waypointFor?: WaypointFor;
}

const WAYPOINT = typeMarker('Waypoint');

/**
 * An ambient-mode waypoint proxy: a Gateway API `Gateway` of class `istio-waypoint` with the
 * listener `mesh` on port 15008 (HBONE), which Istio turns into an Envoy Deployment that applies L7
 * policy (HTTP AuthorizationPolicies, routes) to the traffic of the workloads enrolled in it. It is
 * what `istioctl waypoint apply` creates.
 *
 * The waypoint runs as the ServiceAccount of its own name, so it is also an {@link IWorkloadIdentity}:
 * a ztunnel (`selector`) AuthorizationPolicy that admits only some callers must admit the waypoint
 * too, as it is the waypoint that connects to the pods (`cluster.local/ns/<ns>/sa/<name>`).
 *
 * Enrolment is done where the label goes, one way each: a whole namespace with
 * `MeshNamespace`'s `useWaypoint` (the namespace label, what `istioctl waypoint apply
 * --enroll-namespace` does), one Service with {@link Waypoint.enrollService}. The Waypoint does not
 * write the Namespace object itself, since one Namespace object carries all of a namespace's labels
 * and two constructs writing it would replace each other's.
 *
 * @example
 * const waypoint = new Waypoint(chart, 'waypoint');
 * new MeshNamespace(chart, 'default-ns', { dataplaneMode: DataplaneMode.AMBIENT, useWaypoint: waypoint });
 */
export class Waypoint extends Construct implements IKubernetesGateway, IWorkloadIdentity {
  /** The gateway class of Istio's waypoints. */
  public static readonly GATEWAY_CLASS = 'istio-waypoint';
  /** The port of the waypoint's HBONE listener. */
  public static readonly HBONE_PORT = 15008;

  /** True for a Waypoint, also one made by another copy of this library. */
  public static isWaypoint(x: unknown): x is Waypoint {
    return hasMarker(x, WAYPOINT);
  }

  /** The Gateway's name. */
  public readonly name: string;
  /** The Gateway's namespace. */
  public readonly namespace: string;
  /** The ServiceAccount the waypoint's pods run as: Istio gives it the waypoint's name. */
  public readonly serviceAccountName: string;
  /** Which traffic the waypoint processes, when set (else Istio's default, Service-addressed). */
  public readonly waypointFor?: WaypointFor;
  /** The emitted `gateway.networking.k8s.io/v1` Gateway. */
  public readonly gateway: ApiObject;
  /** The Istio release targeted. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: WaypointProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'Waypoint', props);
    this.release = IstioRelease.of(this, props.release);
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    markInstance(this, WAYPOINT);
    checkAmbientRelease(this, this.release, 'a Waypoint');
    MeshAnalysis.of(this);

    // A DNS label: the name is also a Service's, a ServiceAccount's and the value of use-waypoint labels.
    this.name = checkDnsLabel(this, 'name', props.name ?? 'waypoint');
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'default');
    this.serviceAccountName = this.name;
    if (props.waypointFor !== undefined && !Object.values(WaypointFor).includes(props.waypointFor)) {
      reject(this, 'waypointFor', props.waypointFor, `one of ${Object.values(WaypointFor).join(', ')}`);
    }
    this.waypointFor = props.waypointFor;

    this.gateway = new Gateway(this, 'Gateway', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: this.waypointFor === undefined ? undefined : { [WAYPOINT_FOR_LABEL]: this.waypointFor },
      },
      spec: {
        gatewayClassName: Waypoint.GATEWAY_CLASS,
        listeners: [{ name: 'mesh', port: Waypoint.HBONE_PORT, protocol: 'HBONE' }],
      },
    });
  }

  /**
   * Sends the traffic addressed to one Service through this waypoint: adds `istio.io/use-waypoint:
   * <name>` to the Service's labels (and `istio.io/use-waypoint-namespace` when the waypoint is in
   * another namespace). A Service label wins over its namespace's. The Service's pods must be in
   * ambient mode (their namespace's or their own `istio.io/dataplane-mode: ambient`).
   *
   * @param service a Kubernetes `v1` Service object, e.g. one of your chart's `KubeService`s
   */
  public enrollService(service: ApiObject): void {
    if (!ApiObject.isApiObject(service) || service.apiVersion !== 'v1' || service.kind !== 'Service') {
      reject(
        this,
        'enrollService(service)',
        ApiObject.isApiObject(service) ? `${service.apiVersion}/${service.kind} ${service.name}` : service,
        'an ApiObject of apiVersion v1 and kind Service',
      );
    }
    if (this.waypointFor === WaypointFor.WORKLOAD || this.waypointFor === WaypointFor.NONE) {
      reject(
        this,
        'enrollService(service)',
        service.name,
        `a waypoint that processes Service traffic (waypointFor SERVICE, ALL or unset; this one is "${this.waypointFor}")`,
      );
    }
    // A Service without a namespace is applied in `default` (as the mesh analysis assumes).
    const serviceNamespace = service.metadata.namespace ?? 'default';
    const current = service.metadata.getLabel(USE_WAYPOINT_LABEL);
    const currentNamespace = service.metadata.getLabel(USE_WAYPOINT_NAMESPACE_LABEL) ?? serviceNamespace;
    if (current !== undefined && (current !== this.name || currentNamespace !== this.namespace)) {
      reject(
        this,
        'enrollService(service)',
        service.name,
        `a Service not enrolled in another waypoint (it uses ${currentNamespace}/${current})`,
      );
    }
    service.metadata.addLabel(USE_WAYPOINT_LABEL, this.name);
    if (serviceNamespace !== this.namespace) {
      service.metadata.addLabel(USE_WAYPOINT_NAMESPACE_LABEL, this.namespace);
    }
  }
}
