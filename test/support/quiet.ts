/** Mesh analysis warnings for tests: collected through `onWarning`, never printed. */
import { App, AppProps, Chart, Testing } from 'cdk8s';
import { IConstruct } from 'constructs';

import { Finding } from '../../lib/analysis/findings';
import { MeshAnalysis } from '../../lib/analysis/mesh-analysis';

/** Sends the warnings of the analysis of the App containing `scope` into the returned list instead of stderr. */
export function collectWarnings(scope: IConstruct): Finding[] {
  const warnings: Finding[] = [];
  MeshAnalysis.of(scope).configure({ onWarning: (finding) => warnings.push(finding) });
  return warnings;
}

/** A `Testing.app()` (or an App with `props`) whose analysis warnings are collected, not printed. */
export function quietApp(props?: AppProps): App {
  const app = props === undefined ? Testing.app() : new App(props);
  collectWarnings(app);
  return app;
}

/** A `Testing.chart()` (id `test`) whose analysis warnings are collected, not printed. */
export function quietChart(): Chart {
  const chart = Testing.chart();
  collectWarnings(chart);
  return chart;
}

/**
 * Runs `fn` (e.g. main.ts, whose analysis prints with the default `onWarning` and `onAcknowledged`)
 * and returns the `[mesh analysis] ` lines (warnings, acknowledged-findings summaries) it wrote to
 * stderr instead of printing them; other output passes.
 */
export function captureStderrWarnings(fn: () => void): string[] {
  const captured: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: any[]) => {
    const text = String(chunk);
    if (text.startsWith('[mesh analysis] ')) {
      captured.push(text);
      return true;
    }
    return (write as (...args: any[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write);
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return captured;
}
