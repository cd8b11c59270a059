// Runs the worker's block sums (web/src/worker/block-sums.js) under Node on raw RGBA files, for
// tests/test_bgcut_block_sums_js.py: node tests/block_sums.mjs <job.json>. Each case's sums are
// written beside its input as little-endian uint32, so Python can compare them with
// bgcut.passes.block_sums byte for byte.
import { readFileSync, writeFileSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url);
const { blockSums } = await import(new URL('web/src/worker/block-sums.js', ROOT));

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const shapes = [];
for (const c of job.cases) {
  const bytes = readFileSync(c.input);
  const rgba = new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { sums, height, width } = blockSums(rgba, c.width, c.height, c.scale);
  writeFileSync(c.output, new Uint8Array(sums.buffer, sums.byteOffset, sums.byteLength));
  shapes.push([height, width]);
}
console.log(JSON.stringify({ shapes }));
