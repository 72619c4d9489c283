import { App, Chart, Names } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';

import { Acknowledgement, BookinfoApp, IstioRelease, MeshAnalysis } from '../../lib';

/** What every task starts from: the Istio 1.30 walk-through of dist/istio-1.30/. */
export interface TaskContext {
  /** Directory the task's step files go to (`.../tasks/traffic-management/<task>/`). */
  readonly outdir: string;
  /**
   * What the Bookinfo tasks assume is applied: dist/istio-1.30/'s Bookinfo (in `default` with sidecars,
   * subsets for every service, all traffic to v1), as its App or as the Chart that holds Bookinfo (the
   * addons beside it play no part in a task, and leaving them out keeps each step's analysis small).
   * A task's first step that starts from it is analysed on top of it.
   */
  readonly bookinfoApp: IConstruct;
  /** The Bookinfo of that app, whose services the Bookinfo tasks route. */
  readonly bookinfo: BookinfoApp;
  /**
   * The app of dist/istio-1.30/gateway-api/ (a Service per Bookinfo version and bookinfo-gateway as a
   * Gateway API Gateway), on top of `bookinfoApp`: what the Gateway API flavour of a Bookinfo task
   * routes to.
   */
  readonly gatewayApiApp: App;
}

/** How one step is analysed. */
export interface TaskStepOptions {
  /**
   * The step file (without `.k8s.yaml`) this step is applied on top of, or `null` for a step that
   * stands on a bare cluster. Where a task offers two flavours (Istio APIs or Gateway API), a step of
   * one flavour sits on the last step both flavours share, not on the other flavour's step.
   * @default the step before (the task's first step: nothing beneath, unless `onBookinfo`)
   */
  readonly after?: string | null;
  /**
   * Analyse the step on top of the Bookinfo walk-through (`TaskContext.bookinfoApp`) instead of a
   * step of this task.
   * @default false
   */
  readonly onBookinfo?: boolean;
  /**
   * Analyse the step on top of the Gateway API walk-through (`TaskContext.gatewayApiApp`).
   * @default false
   */
  readonly onGatewayApi?: boolean;
  /**
   * Checks not run for this step, each for a reason the task's own order explains.
   * @default none
   */
  readonly disabledChecks?: readonly string[];
  /**
   * Findings the task causes on purpose.
   * @default none
   */
  readonly acknowledgements?: readonly Acknowledgement[];
}

/**
 * The steps of one istio.io task, one app each, so each lands in its own file
 * `<outdir>/<file>.k8s.yaml` (the chart is named after the step file) and is analysed on top of
 * the steps applied before it.
 */
export class TaskSteps {
  private readonly stepApps = new Map<string, App>();
  private last?: App;

  public constructor(private readonly context: TaskContext) {}

  /** The apps of the steps so far, in task order. */
  public get apps(): App[] {
    return [...this.stepApps.values()];
  }

  /** Adds a step: `build` fills the chart of the step file `file` (no extension). */
  public step(file: string, build: (chart: Chart) => void, options: TaskStepOptions = {}): App {
    if (this.stepApps.has(file)) throw new Error(`task step ${file} is defined twice`);
    const app = new StepApp(this.context.outdir, file);
    IstioRelease.use(app, IstioRelease.V1_30);
    const baseline = this.baselineOf(options);
    MeshAnalysis.of(app).configure({
      ...(baseline !== undefined ? { baseline } : {}),
      disabledChecks: [...(options.disabledChecks ?? [])],
      acknowledgements: [...(options.acknowledgements ?? [])],
    });
    build(new Chart(app, app.chartId));
    this.stepApps.set(file, app);
    this.last = app;
    return app;
  }

  private baselineOf(options: TaskStepOptions): IConstruct | undefined {
    if (options.onBookinfo) return this.context.bookinfoApp;
    if (options.onGatewayApi) return this.context.gatewayApiApp;
    if (options.after === null) return undefined;
    if (options.after === undefined) return this.last;
    const app = this.stepApps.get(options.after);
    if (app === undefined) throw new Error(`task step "${options.after}" (after) is not defined before this step`);
    return app;
  }
}

/** One task folder: its path under tasks/traffic-management/ and the function that builds its steps. */
export interface TaskDefinition {
  /** e.g. 'circuit-breaking', 'ingress/secure-ingress'. */
  readonly path: string;
  /** Builds the step apps into `context.outdir`. */
  readonly steps: (context: TaskContext) => readonly App[];
}

/**
 * An app of one chart whose file is named exactly after its step (`01-snip_route_to_version_1_1.k8s.yaml`):
 * cdk8s names a chart's file after its id as a DNS label (no `_`, at most 63 characters), so the
 * chart gets the DNS form of the name and its file is renamed once written.
 */
class StepApp extends App {
  public readonly chartId: string;

  public constructor(
    outdir: string,
    private readonly file: string,
  ) {
    super({ outdir });
    if (!/^[0-9a-z][0-9a-z_-]*$/.test(file))
      throw new Error(`task step file name ${JSON.stringify(file)}: expected [0-9a-z_-]`);
    this.chartId = file.replace(/_/g, '-');
  }

  public synth(): void {
    super.synth();
    // cdk8s names the file after the chart as a DNS label: ids over 63 characters are cut and hashed.
    const written = Names.toDnsLabel(this.charts[0]);
    if (written === this.file) return;
    fs.renameSync(
      path.join(this.outdir, `${written}${this.outputFileExtension}`),
      path.join(this.outdir, `${this.file}${this.outputFileExtension}`),
    );
  }
}
