// Renders topology pictures in headless Chromium (Debian's `chromium`), as a browser shows them:
//   node scripts/render-topology.mjs [DIR] [--png OUTDIR]
// 1. Loads every .svg under DIR (default dist/) as an <img> in one page and reads back, per file,
//    whether Chromium decoded it and at what size (a malformed SVG fails to decode).
// 2. Screenshots a few of them (the seed and two scenarios, or --all) to PNG in OUTDIR (default a
//    temp dir) and checks each PNG: its signature, its size, and that it is not blank (the PNG's
//    compressed image data is larger than a one-colour picture of that size would be).
// Exits 1 on any failure; prints one line per file. CI runs it (.ci/run) after installing chromium.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const args = process.argv.slice(2);
const pngFlag = args.indexOf('--png');
const pngDir = pngFlag >= 0 ? path.resolve(args[pngFlag + 1]) : fs.mkdtempSync(path.join(os.tmpdir(), 'topology-png-'));
const all = args.includes('--all');
const dir = path.resolve(args.find((a, i) => !a.startsWith('--') && (pngFlag < 0 || i !== pngFlag + 1)) ?? 'dist');
const SAMPLES = [
  'topology.svg',
  'scenarios/virtual-service-reviews-jason-v2-v3.svg',
  'scenarios/virtual-service-reviews-80-20.svg',
];

const browser = ['chromium', 'chromium-browser', 'google-chrome'].find((b) => {
  try {
    execFileSync('sh', ['-c', `command -v ${b}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (browser === undefined) {
  console.error('render-topology: no chromium on PATH (apt-get install chromium)');
  process.exit(2);
}
const chrome = (extra) =>
  execFileSync(
    browser,
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--allow-file-access-from-files', ...extra],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );

function svgFiles(d, prefix = '') {
  return fs
    .readdirSync(path.join(d, prefix), { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? svgFiles(d, path.join(prefix, e.name))
        : e.name.endsWith('.svg')
          ? [path.join(prefix, e.name)]
          : [],
    )
    .sort();
}

const files = svgFiles(dir);
if (files.length === 0) {
  console.error(`render-topology: no .svg under ${dir} (run npm run synth)`);
  process.exit(1);
}
let failed = 0;

// 1. Decode every picture in one page.
const page = path.join(pngDir, 'decode.html');
fs.mkdirSync(pngDir, { recursive: true });
fs.writeFileSync(
  page,
  `<!doctype html><html><body><pre id="out">pending</pre><script>
const files = ${JSON.stringify(files.map((f) => ({ f, url: `file://${path.join(dir, f)}` })))};
Promise.all(files.map(({ f, url }) => new Promise((resolve) => {
  const img = new Image();
  img.onload = () => resolve({ f, ok: img.naturalWidth > 0 && img.naturalHeight > 0, w: img.naturalWidth, h: img.naturalHeight });
  img.onerror = () => resolve({ f, ok: false });
  img.src = url;
}))).then((r) => { document.getElementById('out').textContent = JSON.stringify(r); });
</script></body></html>`,
);
const dom = chrome(['--virtual-time-budget=20000', '--dump-dom', `file://${page}`]);
const json = /<pre id="out">([\s\S]*?)<\/pre>/
  .exec(dom)?.[1]
  .replace(/&quot;/g, '"')
  .replace(/&amp;/g, '&');
let decoded = [];
try {
  decoded = JSON.parse(json);
} catch {
  console.error(`render-topology: the decode page did not finish (${String(json).slice(0, 80)})`);
  process.exit(1);
}
for (const r of decoded) {
  if (!r.ok) failed++;
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} decode ${r.f}${r.ok ? ` ${r.w}x${r.h}` : ''}`);
}

// 2. Screenshots, checked to be real pictures.
function pngInfo(file) {
  const b = fs.readFileSync(file);
  if (!b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return undefined;
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  const idat = [];
  for (let at = 8; at < b.length;) {
    const len = b.readUInt32BE(at);
    if (b.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(b.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  // Undo the PNG row filters (Sub, Up, Average, Paeth), then count distinct RGB colours: a blank
  // page has one or two.
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = (raw.length / height) | 0;
  const bpp = ((stride - 1) / width) | 0;
  const rowBytes = stride - 1;
  let prev = Buffer.alloc(rowBytes);
  const colours = new Set();
  for (let y = 0; y < height; y++) {
    const filter = raw[y * stride];
    const row = Buffer.from(raw.subarray(y * stride + 1, (y + 1) * stride));
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      row[i] = (row[i] + add) & 0xff;
    }
    if (y % 5 === 0)
      for (let x = 0; x < width; x += 2) colours.add((row[x * bpp] << 16) | (row[x * bpp + 1] << 8) | row[x * bpp + 2]);
    prev = row;
  }
  return { width, height, colours: colours.size };
}
const shots = all ? files : SAMPLES.filter((f) => files.includes(f));
if (!all && shots.length !== SAMPLES.length) {
  console.log(`FAIL missing sample pictures: ${SAMPLES.filter((f) => !files.includes(f)).join(', ')}`);
  failed++;
}
for (const f of shots) {
  const size = decoded.find((r) => r.f === f);
  const out = path.join(pngDir, f.replace(/\.svg$/, '.png'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const w = Math.min(Math.max(size?.w ?? 1200, 200), 4000);
  const h = Math.min(Math.max(size?.h ?? 800, 200), 4000);
  chrome([`--screenshot=${out}`, `--window-size=${w},${h}`, `file://${path.join(dir, f)}`]);
  const info = fs.existsSync(out) ? pngInfo(out) : undefined;
  const ok = size?.ok === true && info !== undefined && info.width === w && info.height === h && info.colours >= 8;
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} png ${path.relative(process.cwd(), out)}${info ? ` ${info.width}x${info.height}, ${info.colours} colours` : ''}`,
  );
}
console.log(
  `${files.length} pictures decoded, ${shots.length} rendered to PNG in ${pngDir}: ${failed === 0 ? 'all ok' : `${failed} failed`}`,
);
process.exit(failed === 0 ? 0 : 1);
