import { Chart, Testing } from 'cdk8s';

import { IstioRelease } from '../../lib';

/**
 * A `Testing.chart()` whose App targets `release`. Tests written against one release's samples pin
 * it, since a construct without a declared release follows the library's default (the newest release).
 */
export function chartOn(release: IstioRelease): Chart {
  const chart = Testing.chart();
  IstioRelease.use(chart.node.root, release);
  return chart;
}
