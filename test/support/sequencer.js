'use strict';
// jest's order: failed suites first, then the slowest first by its timing cache, so that no long
// suite starts last and leaves the other worker idle. A clean clone (CI) has no cache, and jest then
// orders by file size, which put test/docs-examples.test.ts (small file, long run) at the end. This
// sequencer falls back to the estimates below (seconds on two cores; only the order matters) for a
// suite jest has not timed, then to file size.
const Sequencer = require('@jest/test-sequencer').default;
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const ESTIMATED_SECONDS = {
  'test/safety/properties.test.ts': 7,
  'test/docs-examples.test.ts': 6,
  'test/addons/prometheus.test.ts': 5,
  'test/analysis/mesh-checks.test.ts': 4,
  'test/safety/determinism.test.ts': 3,
  'test/addons/grafana.test.ts': 3,
  'test/safety/atomic-synth.test.ts': 2.5,
  'test/bookinfo-scenarios.test.ts': 2.5,
  'test/addons/prometheus-promtool-config.test.ts': 2.5,
  'test/addons/dashboards-promql.test.ts': 2.5,
  'test/dist.test.ts': 2,
  'test/library-copies.test.ts': 2,
};

class SlowestFirst extends Sequencer {
  sort(tests) {
    const seconds = (test) =>
      this.time(test) !== undefined
        ? this.time(test) / 1000
        : (ESTIMATED_SECONDS[path.relative(ROOT, test.path).split(path.sep).join('/')] ?? 0);
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    // Like jest's sort: the scheduler reads the duration (to decide whether to run in band).
    for (const test of tests) test.duration = this.time(test);
    return tests
      .map((test) => ({ test, failed: this.hasFailed(test), seconds: seconds(test), size: size(test) }))
      .sort((a, b) => Number(b.failed) - Number(a.failed) || b.seconds - a.seconds || b.size - a.size)
      .map(({ test }) => test);
  }
}

module.exports = SlowestFirst;
