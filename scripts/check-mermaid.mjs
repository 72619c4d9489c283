// Parses Mermaid diagrams with the `mermaid` package's own parser (what GitHub renders with):
// `node scripts/check-mermaid.mjs FILE...`, each a Markdown file (its ```mermaid blocks) or a .mmd
// file. Prints one JSON line per diagram, {file, block, ok, type | error}; exits 1 if any fails.
// Mermaid is an ES module that expects a browser: linkedom gives it the DOM it sanitizes labels with.
import fs from 'node:fs';

import { parseHTML } from 'linkedom';

const { window } = parseHTML('<!doctype html><html><body></body></html>');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, 'utf8');
  const blocks = file.endsWith('.md') ? [...text.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]) : [text];
  if (blocks.length === 0) {
    failed++;
    console.log(JSON.stringify({ file, block: -1, ok: false, error: 'no ```mermaid block' }));
  }
  for (const [block, diagram] of blocks.entries()) {
    try {
      const result = await mermaid.parse(diagram);
      console.log(JSON.stringify({ file, block, ok: true, type: result.diagramType }));
    } catch (error) {
      failed++;
      console.log(
        JSON.stringify({
          file,
          block,
          ok: false,
          error: String(error?.message ?? error)
            .split('\n')
            .slice(0, 4)
            .join(' '),
        }),
      );
    }
  }
}
process.exit(failed > 0 ? 1 : 0);
