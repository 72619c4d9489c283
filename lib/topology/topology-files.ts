import type { App } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';

import { InvalidInputError, reject } from '../core/input-validation';
import { renderTopologyMarkdown } from './mermaid-renderer';
import { renderTopologySvg } from './svg-renderer';
import { TopologyModel, topologyOf } from './topology-model';

/** Options of {@link writeTopology}. */
export interface TopologyFilesOptions {
  /**
   * The pictures' file name without extension, in the App's `outdir`.
   * @default the id of the App's only chart (`reviews-80-20.k8s.yaml` gets `reviews-80-20.svg`), or
   * `topology` for an App of several charts
   */
  readonly fileName?: string;
  /**
   * The heading of both pictures.
   * @default the file name
   */
  readonly title?: string;
  /**
   * A paragraph under the Markdown heading, e.g. what to apply first.
   * @default none
   */
  readonly description?: string;
}

/** What {@link writeTopology} wrote. */
export interface TopologyFiles {
  /** Path of the SVG picture. */
  readonly svgFile: string;
  /** Path of the Markdown file with the Mermaid flowchart. */
  readonly markdownFile: string;
  /** The model both were drawn from. */
  readonly model: TopologyModel;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

/**
 * Draws the App's routing ({@link topologyOf}: its objects on top of its baseline, with the
 * findings of its mesh analysis) into its `outdir`, beside its manifests: `<fileName>.svg` and
 * `<fileName>.md` (Mermaid). `kubectl apply -f DIR` reads only `.yaml`, `.yml` and `.json`, so
 * the pictures do not disturb applying the directory. Call it after `app.synth()` (which
 * replaces nothing but its own manifests), or from `synthAtomically`'s `afterSynth`.
 */
export function writeTopology(app: App, options: TopologyFilesOptions = {}): TopologyFiles {
  // instanceof would fail across two copies of cdk8s: an App is the root construct with charts and an outdir.
  if (
    app === null ||
    typeof app !== 'object' ||
    !Array.isArray((app as App).charts) ||
    typeof (app as App).outdir !== 'string'
  ) {
    throw new InvalidInputError('', 'app', typeof app, 'a cdk8s App');
  }
  const charts = app.charts;
  const fileName = options.fileName ?? (charts.length === 1 ? charts[0].node.id : 'topology');
  if (typeof fileName !== 'string' || !FILE_NAME.test(fileName) || fileName.includes('..')) {
    reject(app, 'fileName', fileName, 'a file name of letters, digits, ".", "_" or "-", without a directory');
  }
  const model = topologyOf(app);
  const title = options.title ?? fileName;
  const svgFile = path.join(app.outdir, `${fileName}.svg`);
  const markdownFile = path.join(app.outdir, `${fileName}.md`);
  fs.mkdirSync(app.outdir, { recursive: true });
  fs.writeFileSync(svgFile, renderTopologySvg(model, { title }));
  fs.writeFileSync(
    markdownFile,
    renderTopologyMarkdown(model, {
      title,
      ...(options.description !== undefined ? { description: options.description } : {}),
    }),
  );
  return { svgFile, markdownFile, model };
}
