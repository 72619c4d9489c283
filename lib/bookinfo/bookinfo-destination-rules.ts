import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { IstioRelease } from '../core/istio-release';
import { IMeshService } from '../core/mesh-service';
import { TlsMode } from '../routing/traffic-policy';
import { VersionRouting } from '../routing/version-routing';
import { checkServices } from './_check-services';

/** Props for {@link BookinfoDestinationRules}. */
export interface BookinfoDestinationRulesProps {
  /**
   * The Istio release whose objects to emit (networking.istio.io/v1beta1 on 1.17, v1 on 1.30).
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * The services that get a DestinationRule, each at most once: typically `bookinfo.services`
   * (any {@link IMeshService} works; a subset is declared per `versions` entry).
   */
  readonly services: readonly IMeshService[];
  /**
   * TLS toward the services. `TlsMode.ISTIO_MUTUAL` is Istio's `destination-rule-all-mtls.yaml`.
   * @default no traffic policy (Istio's `destination-rule-all.yaml`)
   */
  readonly tlsMode?: TlsMode;
  /**
   * Also declare the subsets of versions Istio ships but `bookinfo.yaml` does not run (ratings `v2`,
   * `v2-mysql`, `v2-mysql-vm`; details `v2`), as upstream's files do. Routing to them is allowed by the
   * analysis; that those subsets select no pod (BKI-SUBSET-NO-PODS) is acknowledged on the rules of
   * ratings and details, with the reason, until a variant deploys the version.
   * @default true
   */
  readonly includeUpstreamSubsets?: boolean;
}

/** The subsets upstream's `destination-rule-all*.yaml` declare beyond the versions `bookinfo.yaml` runs. */
const UPSTREAM_EXTRA_SUBSETS: Readonly<Record<string, readonly string[]>> = {
  ratings: ['v2', 'v2-mysql', 'v2-mysql-vm'],
  details: ['v2'],
};

const BOOKINFO_DESTINATION_RULES = typeMarker('BookinfoDestinationRules');

/**
 * A DestinationRule with a subset per version for each Bookinfo service: the seed's
 * `kubectl apply -f samples/bookinfo/networking/destination-rule-all.yaml`.
 *
 * @example
 * new BookinfoDestinationRules(chart, 'destination-rules', { services: bookinfo.services });
 */
export class BookinfoDestinationRules extends Construct {
  /** True for a BookinfoDestinationRules, also one made by another copy of this library. */
  public static isBookinfoDestinationRules(x: unknown): x is BookinfoDestinationRules {
    return hasMarker(x, BOOKINFO_DESTINATION_RULES);
  }

  /** The routing (DestinationRule only) of each service, keyed by service name. */
  public readonly routings: Readonly<Record<string, VersionRouting>>;
  /** The Istio release whose objects this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: BookinfoDestinationRulesProps) {
    super(scope, id);
    props = checkedProps(this, 'BookinfoDestinationRules', props);
    markInstance(this, BOOKINFO_DESTINATION_RULES);
    this.release = IstioRelease.of(this, props.release);
    // The routings below follow this construct's release.
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    const services = checkServices(this, props.services);
    const includeExtra = props.includeUpstreamSubsets ?? true;
    const trafficPolicy = props.tlsMode ? { tls: { mode: props.tlsMode } } : undefined;
    const routings: Record<string, VersionRouting> = {};
    for (const service of services) {
      const routing = new VersionRouting(this, service.serviceName, {
        service,
        createVirtualService: false,
        trafficPolicy,
      });
      const declared = new Set(routing.subsetNames);
      const extra = (includeExtra ? (UPSTREAM_EXTRA_SUBSETS[service.serviceName] ?? []) : []).filter(
        (name) => !declared.has(name),
      );
      for (const name of extra) routing.addSubset({ name });
      if (extra.length > 0) {
        // Subsets for versions that only the variant files deploy select no pod until one is applied.
        MeshAnalysis.of(this).configure({
          acknowledgements: [
            {
              code: 'BKI-SUBSET-NO-PODS',
              path: routing.node.path,
              reason: `upstream's destination-rule-all*.yaml declares ${service.serviceName} subsets ${extra.join(', ')} for versions only Bookinfo's variant files deploy (includeUpstreamSubsets)`,
            },
          ],
        });
      }
      routings[service.serviceName] = routing;
    }
    this.routings = routings;
  }
}
