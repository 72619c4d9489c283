// Architecture rules for lib/, checked by `npm run lint:deps`.
// Layers, lowest first: a folder may import only from its own layer and the layers before it.
const LAYERS = [
  'core',
  'analysis',
  'topology',
  'routing',
  'workload',
  'ambient',
  'security',
  'exposure',
  'addons',
  'bookinfo',
  'samples',
  'cli',
];

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer}`,
  comment: `lib/${layer} is below ${LAYERS.slice(i + 1).join(', ')}: it must not import them`,
  severity: 'error',
  from: { path: `^lib/${layer}/` },
  to: { path: `^lib/(${LAYERS.slice(i + 1).join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'no import cycles, between files or folders',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    {
      name: 'lib-not-to-index',
      comment: 'lib/index.ts is the public entry point; the library itself imports the files it needs',
      severity: 'error',
      from: { path: '^lib/(?!index\\.ts$)' },
      to: { path: '^lib/index\\.ts$' },
    },
    {
      name: 'lib-self-contained',
      comment: 'the library ships lib/ and imports/ only: no test, bench, script or main.ts code',
      severity: 'error',
      from: { path: '^(lib|imports)/' },
      to: { path: '^(test|bench|scripts|main\\.ts)' },
    },
    {
      name: 'lib-no-dev-dependencies',
      comment: 'what the library imports at run time must be a peer dependency of package.json, not a dev dependency',
      severity: 'error',
      from: { path: '^(lib|imports)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|build|node_modules)/' },
  },
};
