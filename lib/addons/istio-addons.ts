import { Construct } from 'constructs';

import { MeshAnalysis } from '../analysis/mesh-analysis';
import { checkedProps } from '../core/_props-check';
import { hasMarker, markInstance, typeMarker } from '../core/_type-marker';
import { checkDnsLabel, reject } from '../core/input-validation';
import { IstioRelease, ReleaseTable, releaseValue } from '../core/istio-release';
import { IAddonService } from './addon-service';
import { Grafana, GrafanaProps } from './grafana';
import { Jaeger, JaegerProps } from './jaeger';
import { Kiali, KialiProps } from './kiali';
import { Loki, LokiProps } from './loki';
import { Prometheus, PrometheusProps } from './prometheus';

/** Kiali's props inside {@link IstioAddons}: its Prometheus, Grafana and Jaeger are wired for you. */
export interface IstioAddonsKialiProps extends Omit<KialiProps, 'prometheus' | 'grafana' | 'tracing'> {
  /**
   * The URL browsers open for Grafana links from Kiali, e.g. `https://grafana.example.com`.
   * @default none: no Grafana links
   */
  readonly grafanaExternalUrl?: string;
  /**
   * The URL browsers open for trace links from Kiali, e.g. `https://jaeger.example.com/jaeger`.
   * @default none: no links to the Jaeger UI
   */
  readonly tracingExternalUrl?: string;
  /**
   * Whether Kiali shows traces from the Jaeger (when `jaeger` is on).
   * @default true when `tracingExternalUrl` is set, else the release's sample: true on 1.17, false on 1.30
   * (Istio ships Kiali 2 with tracing disabled)
   */
  readonly tracing?: boolean;
}

/** What differs between the releases' `samples/addons` as a set. */
interface AddonsReleaseData {
  /** Whether the sample's Kiali integrates tracing. */
  readonly kialiTracing: boolean;
  /** Whether the sample has Loki (and Grafana a Loki datasource). */
  readonly loki: boolean;
}

const RELEASES: ReleaseTable<AddonsReleaseData> = {
  '1.17': { kialiTracing: true, loki: false },
  '1.30': { kialiTracing: false, loki: true },
};

/** Props for {@link IstioAddons}. Each addon takes its own props, or `false` to leave it out. */
export interface IstioAddonsProps {
  /**
   * The Istio release whose addons to emit; every addon follows it unless its own props set another.
   * @default the release declared for the scope with `IstioRelease.use`, else `IstioRelease.DEFAULT`
   */
  readonly release?: IstioRelease;
  /**
   * Namespace of every addon that does not set its own.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Prometheus, or `false` for none (then give `externalPrometheus` if Grafana or Kiali is on).
   * @default Prometheus with its defaults
   */
  readonly prometheus?: PrometheusProps | false;
  /**
   * Grafana, or `false` for none. Its datasources are wired to the Prometheus and the Loki.
   * @default Grafana with its defaults
   */
  readonly grafana?: Omit<GrafanaProps, 'prometheus' | 'loki'> | false;
  /**
   * Loki (logs), or `false` for none. Istio 1.30's addons include it; Grafana gets a Loki
   * datasource when it is on.
   * @default Loki with its defaults on Istio 1.30, none on 1.17 (whose samples have no Loki)
   */
  readonly loki?: LokiProps | false;
  /**
   * Jaeger, or `false` for none.
   * @default Jaeger with its defaults
   */
  readonly jaeger?: JaegerProps | false;
  /**
   * Kiali, or `false` for none. It is wired to the Prometheus, Grafana and Jaeger query service;
   * an addon that is off turns the matching Kiali integration off (Prometheus excepted, see
   * `externalPrometheus`).
   * @default Kiali with its defaults (anonymous access: see the README's hardened example)
   */
  readonly kiali?: IstioAddonsKialiProps | false;
  /**
   * A Prometheus this library does not create, for Grafana and Kiali when `prometheus` is
   * `false` (e.g. `addonService('prometheus-operated', 'monitoring', 9090)`). Kiali cannot work
   * without Prometheus, so leaving both out with Kiali on is an error.
   * @default none
   */
  readonly externalPrometheus?: IAddonService;
}

const ISTIO_ADDONS = typeMarker('IstioAddons');

/**
 * Istio's observability addons (the release's `samples/addons`: Loki too on 1.30) in one namespace,
 * wired together: Grafana's datasources are the Prometheus and the Loki, and Kiali queries the
 * Prometheus, the Grafana and Jaeger's query service. Renaming or moving an addon through its props moves the wiring with it.
 *
 * @example
 * const addons = new IstioAddons(chart, 'addons', { jaeger: false });
 * addons.kiali?.url; // 'http://kiali.istio-system:20001/kiali'
 */
export class IstioAddons extends Construct {
  /** True for an IstioAddons, also one made by another copy of this library. */
  public static isIstioAddons(x: unknown): x is IstioAddons {
    return hasMarker(x, ISTIO_ADDONS);
  }

  /** The default namespace of the addons. */
  public readonly namespace: string;
  /** Prometheus; undefined when off. */
  public readonly prometheus?: Prometheus;
  /** Grafana; undefined when off. */
  public readonly grafana?: Grafana;
  /** Jaeger; undefined when off. */
  public readonly jaeger?: Jaeger;
  /** Loki; undefined when off. */
  public readonly loki?: Loki;
  /** Kiali; undefined when off. */
  public readonly kiali?: Kiali;
  /** The Istio release whose addons this construct emits. */
  public readonly release: IstioRelease;

  constructor(scope: Construct, id: string, props: IstioAddonsProps = {}) {
    super(scope, id);
    props = checkedProps(this, 'IstioAddons', props);
    markInstance(this, ISTIO_ADDONS);
    // Cross-object checks (e.g. two addon sets in one namespace) at synth.
    MeshAnalysis.of(this);
    this.release = IstioRelease.of(this, props.release);
    // The addons follow this construct's release.
    if (props.release !== undefined) IstioRelease.use(this, this.release);
    const data = releaseValue(RELEASES, this.release);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'istio-system');
    const namespace = this.namespace;
    const enabled = <T>(value: T | false | undefined): T | undefined =>
      value === false ? undefined : (value ?? ({} as T));
    const prometheusProps = enabled(props.prometheus);
    const grafanaProps = enabled(props.grafana);
    const jaegerProps = enabled(props.jaeger);
    const kialiProps = enabled(props.kiali);
    const lokiProps = props.loki === undefined ? (data.loki ? {} : undefined) : enabled(props.loki);

    if (prometheusProps && props.externalPrometheus) {
      reject(
        this,
        'externalPrometheus',
        props.externalPrometheus.url,
        'nothing while this construct creates Prometheus (set prometheus: false to use an external one)',
      );
    }
    if (!prometheusProps && !props.externalPrometheus && (grafanaProps || kialiProps)) {
      reject(
        this,
        'externalPrometheus',
        undefined,
        `an IAddonService for the Prometheus that ${kialiProps ? 'Kiali' : 'Grafana'} queries, since prometheus is false`,
      );
    }

    if (prometheusProps) {
      this.prometheus = new Prometheus(this, 'Prometheus', {
        ...prometheusProps,
        namespace: prometheusProps.namespace ?? namespace,
      });
    }
    const prometheus: IAddonService | undefined = this.prometheus ?? props.externalPrometheus;
    if (lokiProps) {
      this.loki = new Loki(this, 'Loki', { ...lokiProps, namespace: lokiProps.namespace ?? namespace });
    }
    if (grafanaProps) {
      this.grafana = new Grafana(this, 'Grafana', {
        ...grafanaProps,
        namespace: grafanaProps.namespace ?? namespace,
        prometheus,
        loki: this.loki ?? false,
      });
    }
    if (jaegerProps) {
      this.jaeger = new Jaeger(this, 'Jaeger', { ...jaegerProps, namespace: jaegerProps.namespace ?? namespace });
    }
    if (kialiProps) {
      const { grafanaExternalUrl, tracingExternalUrl, tracing, ...kiali } = kialiProps;
      if (grafanaExternalUrl !== undefined && !this.grafana) {
        reject(this, 'kiali.grafanaExternalUrl', grafanaExternalUrl, 'nothing when grafana is false');
      }
      if (tracing === true && !this.jaeger)
        reject(this, 'kiali.tracing', tracing, 'false or nothing when jaeger is false');
      if (tracing !== undefined && typeof tracing !== 'boolean')
        reject(this, 'kiali.tracing', tracing, 'true or false');
      const withTracing =
        this.jaeger !== undefined && (tracing ?? (data.kialiTracing || tracingExternalUrl !== undefined));
      if (tracingExternalUrl !== undefined && !withTracing) {
        reject(
          this,
          'kiali.tracingExternalUrl',
          tracingExternalUrl,
          this.jaeger ? 'nothing when kiali.tracing is false' : 'nothing when jaeger is false',
        );
      }
      this.kiali = new Kiali(this, 'Kiali', {
        ...kiali,
        namespace: kiali.namespace ?? namespace,
        prometheus,
        grafana: this.grafana ? { service: this.grafana, externalUrl: grafanaExternalUrl } : false,
        tracing: withTracing && this.jaeger ? { service: this.jaeger.query, externalUrl: tracingExternalUrl } : false,
      });
    }
  }
}
