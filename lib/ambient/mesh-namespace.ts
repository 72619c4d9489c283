import { ApiObject } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkOwnableNamespace } from '../core/_owned-namespaces';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { DATAPLANE_MODE_LABEL, DataplaneMode, USE_WAYPOINT_LABEL } from '../core/dataplane-mode';
import { IKubernetesGateway } from '../core/gateway';
import { checkDnsLabel, checkDnsSubdomain, checkLabels, checkLabelValue, reject } from '../core/input-validation';
import { IstioRelease } from '../core/istio-release';
import { checkAmbientRelease } from './_ambient-release';
import { USE_WAYPOINT_NAMESPACE_LABEL, Waypoint, WaypointFor } from './waypoint';

/** The namespace label that turns on sidecar injection for the namespace's pods. */
const INJECTION_NAMESPACE_LABEL = 'istio-injection';

/** Labels this construct sets from its props: given in `labels`, they would say the same thing twice. */
const MANAGED_LABELS: Readonly<Record<string, string>> = {
  [DATAPLANE_MODE_LABEL]: 'dataplaneMode',
  [INJECTION_NAMESPACE_LABEL]: 'dataplaneMode',
  [USE_WAYPOINT_LABEL]: 'useWaypoint',
  [USE_WAYPOINT_NAMESPACE_LABEL]: 'useWaypoint',
};

/** Props for {@link MeshNamespace}. */
export interface MeshNamespaceProps {
  /**
   * The Istio release targeted. Ambient mode (`DataplaneMode.AMBIENT`, `useWaypoint`) needs Istio 1.24
   * or later and is refused on `IstioRelease.V1_17`.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * The namespace's name.
   * @default 'default'
   */
  readonly name?: string;
  /**
   * How the namespace's pods join the mesh: `AMBIENT` labels it `istio.io/dataplane-mode: ambient`
   * (ztunnel, no sidecars), `SIDECAR` labels it `istio-injection: enabled` (a sidecar injected into each pod).
   * @default no enrolment label (pods may still enrol one by one with their own labels)
   */
  readonly dataplaneMode?: DataplaneMode;
  /**
   * The waypoint that the traffic of the namespace's ambient workloads goes through, e.g. a
   * {@link Waypoint}: the label `istio.io/use-waypoint: <name>`, and `istio.io/use-waypoint-namespace:
   * <namespace>` when the waypoint runs in another namespace. A Service's or pod's own label wins.
   * @default none: ztunnel alone (L4)
   */
  readonly useWaypoint?: IKubernetesGateway;
  /**
   * Further labels of the namespace (not the mesh labels above, which come from `dataplaneMode` and `useWaypoint`).
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

const MESH_NAMESPACE = typeMarker('MeshNamespace');

/**
 * A Namespace object that carries the mesh enrolment labels: ambient mode (`istio.io/dataplane-mode:
 * ambient`) or sidecar injection (`istio-injection: enabled`), and the waypoint its traffic uses
 * (`istio.io/use-waypoint`). It is the object form of `kubectl label namespace ...` and of
 * `istioctl waypoint apply --enroll-namespace`.
 *
 * Writing an existing namespace, `default` included, is safe: `kubectl apply` adds the labels to it,
 * and the API server never deletes `default`, `kube-system` or `kube-public` (its NamespaceLifecycle
 * admission refuses it), so a later `kubectl delete -f` of the manifests reports that refusal and
 * leaves the namespace and its other objects in place. For any other namespace, deleting the
 * manifests deletes the namespace and everything in it, as for any Namespace object. Istio's ambient
 * getting-started task labels `default` this way.
 *
 * Keep one MeshNamespace per namespace: a Namespace object carries all of the namespace's labels.
 *
 * @example
 * const waypoint = new Waypoint(chart, 'waypoint');
 * new MeshNamespace(chart, 'default-ns', { dataplaneMode: DataplaneMode.AMBIENT, useWaypoint: waypoint });
 */
export class MeshNamespace extends Construct {
  /** True for a MeshNamespace, also one made by another copy of this library. */
  public static isMeshNamespace(x: unknown): x is MeshNamespace {
    return hasMarker(x, MESH_NAMESPACE);
  }

  /** The namespace's name. */
  public readonly name: string;
  /** How the namespace's pods join the mesh, when set. */
  public readonly dataplaneMode?: DataplaneMode;
  /** The emitted `v1` Namespace. */
  public readonly namespace: ApiObject;
  /** The Istio release targeted. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: MeshNamespaceProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'MeshNamespace', props);
    this.release = IstioRelease.of(this, props.release);
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    markInstance(this, MESH_NAMESPACE);
    MeshAnalysis.of(this);

    this.name = checkDnsLabel(this, 'name', props.name ?? 'default');
    // `default` is labelled as Istio's ambient task does: the API server never deletes it, so owning it is harmless.
    if (this.name !== 'default') {
      checkOwnableNamespace(this, 'name', this.name, 'a namespace of your workloads, or "default"');
    }
    const mode = props.dataplaneMode;
    if (mode !== undefined && !Object.values(DataplaneMode).includes(mode)) {
      reject(this, 'dataplaneMode', mode, `one of ${Object.values(DataplaneMode).join(', ')}`);
    }
    this.dataplaneMode = mode;
    if (mode === DataplaneMode.AMBIENT) checkAmbientRelease(this, this.release, 'dataplaneMode AMBIENT');

    const labels = checkLabels(this, 'labels', props.labels ?? {});
    for (const key of Object.keys(labels)) {
      if (MANAGED_LABELS[key] !== undefined) {
        reject(
          this,
          `labels["${key}"]`,
          labels[key],
          `no ${key} label: it comes from ${MANAGED_LABELS[key]} (one place decides how the namespace joins the mesh)`,
        );
      }
    }
    if (mode === DataplaneMode.AMBIENT) labels[DATAPLANE_MODE_LABEL] = 'ambient';
    if (mode === DataplaneMode.SIDECAR) labels[INJECTION_NAMESPACE_LABEL] = 'enabled';

    const waypoint = props.useWaypoint;
    if (waypoint !== undefined) {
      checkAmbientRelease(this, this.release, 'useWaypoint');
      if (waypoint === null || typeof waypoint !== 'object') {
        reject(this, 'useWaypoint', waypoint, 'an IKubernetesGateway such as a Waypoint');
      }
      if (mode === DataplaneMode.SIDECAR) {
        // Sidecars do not use waypoints: the label would be a silent no-op next to istio-injection.
        reject(
          this,
          'useWaypoint',
          waypoint.name,
          'no waypoint with dataplaneMode SIDECAR (waypoints serve ambient workloads)',
        );
      }
      if (Waypoint.isWaypoint(waypoint) && waypoint.waypointFor === WaypointFor.NONE) {
        reject(this, 'useWaypoint', waypoint.name, 'a waypoint that processes traffic (this one has waypointFor NONE)');
      }
      labels[USE_WAYPOINT_LABEL] = checkLabelValue(
        this,
        'useWaypoint.name',
        checkDnsSubdomain(this, 'useWaypoint.name', waypoint.name),
      );
      if (checkDnsLabel(this, 'useWaypoint.namespace', waypoint.namespace) !== this.name) {
        labels[USE_WAYPOINT_NAMESPACE_LABEL] = waypoint.namespace;
      }
    }

    this.namespace = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: { name: this.name, labels: Object.keys(labels).length === 0 ? undefined : labels },
    });
  }
}
