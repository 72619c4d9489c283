import * as fs from 'fs';
import * as path from 'path';

import { renderTopologyMarkdown, renderTopologyMermaid } from '../topology/mermaid-renderer';
import { renderTopologySvg } from '../topology/svg-renderer';
import { buildTopology } from '../topology/topology-model';
import { parseAnalyzeArgs } from './analyze-command';
import { CliCommand, EXIT, forEachArgument, UsageError } from './command';
import { loadManifests } from './manifest-loader';

/** The output formats of `graph`. */
const FORMATS = ['svg', 'mermaid', 'markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `usage: cdk8s-istio-bookinfo graph [options] <file|dir|->...

Draws the routing of Kubernetes manifests (entry points, route rules in match order, the share of
each destination, the services, versions and workloads behind them, the mesh analysis's findings)
from YAML or JSON files, directories (recursively: *.yaml, *.yml, *.json) and - for stdin, e.g.
  kubectl get gw,vs,dr,se,svc,deploy -A -o yaml | cdk8s-istio-bookinfo graph - > mesh.svg

options:
  --format svg|mermaid|markdown|json   svg (default): a self-contained picture; mermaid: a
                             flowchart; markdown: the flowchart in a \`\`\`mermaid block with the
                             findings listed; json: the topology model
  --title TEXT               the picture's heading (default: the inputs)
  --output FILE              write to FILE instead of stdout
  --disable, --istio-release, --weight-strictness, --cluster-domain, --root-namespace
                             as for analyze: they change the findings drawn

exit codes: 0 drawn, 2 usage error or nothing could be read.
`;

/** `graph`: loads the inputs like `analyze` and writes the topology picture. */
export const graphCommand: CliCommand = {
  name: 'graph',
  summary: 'draw the routing of manifest files, directories or stdin (SVG, Mermaid, Markdown or JSON)',
  usage: USAGE,
  run: async (argv, io) => {
    let format: Format = 'svg';
    let title: string | undefined;
    const rest: string[] = [];
    forEachArgument(argv, (name, value, arg) => {
      if (name === '--format') {
        const v = value();
        if (!(FORMATS as readonly string[]).includes(v)) {
          throw new UsageError(`--format "${v}" is not a format of graph: expected one of ${FORMATS.join(', ')}`);
        }
        format = v as Format;
      } else if (name === '--title') {
        title = value();
      } else if (name === '--warnings-as-errors') {
        throw new UsageError('--warnings-as-errors is an option of analyze, not graph (graph draws the findings)');
      } else {
        rest.push(arg);
      }
    });
    const args = parseAnalyzeArgs(rest);
    const loaded = await loadManifests(args.inputs, io);
    for (const p of loaded.problems) io.stderr(`problem ${p.location.file}:${p.location.line}: ${p.message}\n`);
    if (loaded.objects.length === 0) {
      io.stderr(
        `cdk8s-istio-bookinfo graph: ${loaded.files.length === 0 ? 'no input could be read' : `no Kubernetes objects in ${loaded.files.join(', ')}`}\n`,
      );
      return EXIT.USAGE;
    }
    const model = buildTopology(loaded.objects, args.options);
    const heading = title ?? args.inputs.join(' ');
    const text =
      format === 'svg'
        ? renderTopologySvg(model, { title: heading })
        : format === 'mermaid'
          ? renderTopologyMermaid(model)
          : format === 'markdown'
            ? renderTopologyMarkdown(model, { title: heading })
            : `${JSON.stringify(model, null, 2)}\n`;
    if (args.output !== undefined) fs.writeFileSync(path.resolve(io.cwd, args.output), text);
    else io.stdout(text);
    return EXIT.OK;
  },
};
