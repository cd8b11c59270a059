// Runs the browser's header sniffers (web/src/worker/sniff.js) and the decoder's header checks
// (web/src/worker/decode.js) under Node on real image headers, mutated and random bytes. Driven by
// tests/test_sniff_fuzz.py: node tests/sniff_fuzz.mjs <job.json>; prints one JSON line of results.
//
// The contract checked for every input: sniffImage resolves (never throws) with a format, and a
// size that is a pair of non-negative integers or absent; decodeToPixels either refuses with a
// UserError or hands the file to the browser's decoder only when the header gave a size within the
// pixel limit. createImageBitmap does not exist in Node: a stand-in records the call and stops there.
import { readFileSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url);
const { sniffImage } = await import(new URL('web/src/worker/sniff.js', ROOT));
const { decodeToPixels, MAX_PIXELS } = await import(new URL('web/src/worker/decode.js', ROOT));
const { UserError } = await import(new URL('web/src/worker/errors.js', ROOT));

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// A small deterministic PRNG (xorshift32), so a failure names a seed that reproduces it.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

function mutate(bytes, rand) {
  const out = Uint8Array.from(bytes);
  const kind = Math.floor(rand() * 5);
  const span = Math.min(out.length, 4096); // headers live at the front; mutate there
  const edits = 1 + Math.floor(rand() * 8);
  if (kind === 0) {
    for (let k = 0; k < edits; k += 1) out[Math.floor(rand() * span)] = Math.floor(rand() * 256);
    return out;
  }
  if (kind === 1) return out.subarray(0, Math.floor(rand() * span)); // truncated
  if (kind === 2) { // a length or size field set to an extreme
    const at = Math.floor(rand() * Math.max(1, span - 4));
    const v = [0, 1, 0xff, 0x7f][Math.floor(rand() * 4)];
    out.fill(v, at, at + 4);
    return out;
  }
  if (kind === 3) { // bytes repeated, as a chunk or segment copied twice
    const a = Math.floor(rand() * span);
    const b = Math.min(span, a + Math.floor(rand() * 256));
    const merged = new Uint8Array(out.length + (b - a));
    merged.set(out.subarray(0, b));
    merged.set(out.subarray(a));
    return merged;
  }
  for (let k = 0; k < edits; k += 1) { // bit flips
    const i = Math.floor(rand() * span);
    out[i] ^= 1 << Math.floor(rand() * 8);
  }
  return out;
}

let decoderCalls = 0;
globalThis.createImageBitmap = async () => {
  decoderCalls += 1;
  throw new Error('STAND-IN DECODER');
};

const failures = [];
const formats = {};
let refused = 0;
let sized = 0;
let decoded = 0;

async function check(label, bytes) {
  const blob = new Blob([bytes]);
  let sniffed;
  try {
    sniffed = await sniffImage(blob);
  } catch (err) {
    failures.push({ label, stage: 'sniff', error: String(err?.stack || err) });
    return;
  }
  const { format, width, height } = sniffed;
  formats[format] = (formats[format] || 0) + 1;
  const hasSize = width !== undefined || height !== undefined;
  if (hasSize && !(Number.isInteger(width) && Number.isInteger(height) && width >= 0 && height >= 0)) {
    failures.push({ label, stage: 'sniff', error: `bad size ${width}x${height}` });
  }
  if (hasSize) sized += 1;
  const before = decoderCalls;
  try {
    await decodeToPixels(blob, label, { budgetBytes: Infinity });
    failures.push({ label, stage: 'decode', error: 'resolved without a decoder' });
  } catch (err) {
    const reachedDecoder = decoderCalls > before;
    if (reachedDecoder) {
      decoded += 1;
      // Only a file whose size was read and is within the limit may reach a decoder; HEIC without
      // one goes to libheif, which reads and checks the size itself before decoding (heic.js).
      const sizedOk = hasSize && width * height <= MAX_PIXELS && width > 0 && height > 0;
      if (!sizedOk && !(format === 'heic' && !hasSize)) {
        failures.push({ label, stage: 'decode', error: `decoder reached with size ${width}x${height}` });
      }
      if (!(err instanceof UserError)) {
        failures.push({ label, stage: 'decode', error: `not a UserError after the decoder: ${err}` });
      }
    } else if (err instanceof UserError) {
      refused += 1;
    } else {
      failures.push({ label, stage: 'decode', error: String(err?.stack || err) });
    }
  }
}

const expected = [];
for (const seed of job.seeds) {
  const bytes = new Uint8Array(readFileSync(seed.path));
  const sniffed = await sniffImage(new Blob([bytes]));
  expected.push({ path: seed.path, ...sniffed });
  await check(`seed ${seed.path}`, bytes);
  const rand = rng(job.seed ^ bytes.length);
  for (let n = 0; n < job.mutations; n += 1) await check(`mutation ${n} of ${seed.path}`, mutate(bytes, rand));
}
const rand = rng(job.seed);
const magics = [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0xff, 0xd8, 0xff], [0x47, 0x49, 0x46, 0x38, 0x39, 0x61],
  [0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50], [0x42, 0x4d],
  [0, 0, 0, 0x1c, 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x66], [0x49, 0x49, 0x2a, 0], []];
for (let n = 0; n < job.random; n += 1) {
  const magic = magics[n % magics.length];
  const bytes = new Uint8Array(magic.length + Math.floor(rand() * 2048));
  bytes.set(magic);
  for (let i = magic.length; i < bytes.length; i += 1) bytes[i] = Math.floor(rand() * 256);
  await check(`random ${n} (magic ${n % magics.length})`, bytes);
}

console.log(JSON.stringify({ expected, failures: failures.slice(0, 20), failureCount: failures.length,
  formats, refused, sized, decoded }));
