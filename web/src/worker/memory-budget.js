// How many pixels this device can afford to cut out at once. A 48 MP photo peaks at about 1.8 GiB
// in the renderer (docs/BENCHMARKS.md#limits-and-memory); phones close tabs far below that, iOS
// Safari at well under 1 GiB. Past the budget the photo is processed at a smaller working size, and
// the result says so, rather than the tab dying and taking the rest of a batch with it.

// Renderer peak per photo pixel at 48 MP: 1797 MiB / 48 MP = 39.3 bytes, rounded up.
export const BYTES_PER_PIXEL = 40;
const MiB = 2 ** 20;
const GiB = 2 ** 30;
// A tab may use about a quarter of the device's memory before the system reclaims it.
const SHARE_OF_DEVICE = 0.25;
// Browsers that hide deviceMemory (Safari, Firefox) on a phone or tablet: assume a small one.
const UNKNOWN_MOBILE_BYTES = 1 * GiB;
const MOBILE = /iPhone|iPad|iPod|Android|Mobile/i;

// ?memory-budget-mb=N on the page (passed to this worker's URL by worker-bridge.js) forces a budget:
// tests use it to reach the downscaling path on a desktop, people to try a phone's behaviour.
function forcedBudget() {
  const href = globalThis.location?.href;
  const value = href ? Number(new URL(href).searchParams.get('memory-budget-mb')) : NaN;
  return Number.isFinite(value) && value > 0 ? value * MiB : null;
}

/** Bytes this tab may spend on one photo; Infinity where the device gives no reason to hold back. */
export function memoryBudgetBytes(nav = globalThis.navigator) {
  const forced = forcedBudget();
  if (forced) return forced;
  const gb = nav?.deviceMemory;
  // Chromium reports 0.25-8 (GB, rounded down, capped at 8): below 8 the device is small enough.
  if (typeof gb === 'number' && gb > 0) return gb < 8 ? gb * GiB * SHARE_OF_DEVICE : Infinity;
  return MOBILE.test(nav?.userAgent || '') ? UNKNOWN_MOBILE_BYTES : Infinity;
}

/** The working size for a photo under a budget: the same size, or one with the same aspect that fits. */
export function workingSize(width, height, budgetBytes) {
  const pixels = width * height;
  const affordable = Math.floor(budgetBytes / BYTES_PER_PIXEL);
  if (!(pixels > affordable)) return { width, height };
  const scale = Math.sqrt(affordable / pixels);
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

export function megapixels(width, height) {
  return Math.round(width * height / 1e5) / 10;
}

// A model's session holds its weights as float32 whatever the file stores (uint8 and q5 files are
// expanded when the session is built), beside ORT's arena of activations. Measured in Chromium
// (performance.measureUserAgentSpecificMemory, page and workers, after one 481x321 photo): going
// from U²-Netp to U²-Net's q5 variant added 240 MB, 1.4x U²-Net's 176 MB of float32 weights; twice
// the weights leaves room for the file's bytes while the session is built and larger inputs.
// Photos need room beside it: a 12 MP phone photo at BYTES_PER_PIXEL. An estimate for any device.
const SESSION_PER_FP32_BYTE = 2;
const PHOTO_RESERVE_BYTES = 12e6 * BYTES_PER_PIXEL;
const FP32_PER_FILE_BYTE = { fp32: 1, fp16: 2, uint8: 4 };

/** What running the model of this manifest entry costs in memory, in bytes (an estimate). */
export function modelMemoryBytes(models, entry) {
  const fp32 = models.models.find((m) => m.architecture === entry.architecture && m.variant === 'fp32');
  const weights = fp32 ? fp32.bytes : entry.bytes * (FP32_PER_FILE_BYTE[entry.variant] || 4);
  return weights * SESSION_PER_FP32_BYTE;
}

/**
 * null when this device can afford the model beside a photo, else a message for people. The
 * default model's architecture always passes: it is what a page falls back to.
 */
export function modelMemoryProblem(models, entry, budgetBytes = memoryBudgetBytes()) {
  const fallback = models.models.find((m) => m.id === models.default);
  if (!fallback || fallback.architecture === entry.architecture) return null;
  const need = modelMemoryBytes(models, entry) + PHOTO_RESERVE_BYTES;
  if (need <= budgetBytes) return null;
  const tier = Object.values(models.tiers || {}).find((t) => t.architecture === entry.architecture);
  const name = tier?.label ? `The ${tier.label} model` : `Model "${entry.id}"`;
  const gb = (n) => `${(n / GiB).toFixed(1)} GB`;
  return `${name} needs about ${gb(need)} of memory with a photo, and this device can spare about `
    + `${gb(budgetBytes)} for this page; the Fast model works here.`;
}
