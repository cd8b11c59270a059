// Touch-up edits in the worker: a photo removed with `editable` keeps its decoded pixels and the
// model's plan here, so a stroke list (docs/API.md#edits) is replayed on the full-resolution alpha
// without running the model again. bgcut.edits does the work, as for the CLI's --edits.
import { pythonMessage, UserError } from './errors.js';
import { encodePixels } from './encode.js';

const GLUE_URL = new URL('./edits_glue.py', import.meta.url);

// What the cache may hold, in photo pixels: one 12 MP photo costs ~150 MB of Pyodide heap (RGBA
// and two float32 alphas: before the strokes, and after the last call's), and that heap never
// shrinks. At least the newest photo is always kept.
const CACHE_PIXELS = 16_000_000;

// editKey -> {rgba, planned, opts, width, height, alpha?, edited?}; insertion order = age. alpha:
// the pre-edit alpha; edited: {strokes (each as JSON), alpha} of the last call, so the next stroke
// (the common case) costs that stroke only.
const cache = new Map();
let glue = null;

// bgcut.edits.EditsError's text is a sentence for people; the class name is not.
const reason = (err) => pythonMessage(err).replace(/^[\w.]*Error:\s*/, '');

async function loadGlue(pyodide) {
  glue ??= (async () => {
    const r = await fetch(GLUE_URL);
    if (!r.ok) throw new Error(`edits_glue.py missing (HTTP ${r.status})`);
    pyodide.FS.writeFile('/home/pyodide/edits_glue.py', await r.text());
    return pyodide.pyimport('edits_glue');
  })();
  glue.catch(() => { glue = null; });
  return glue;
}

function drop(key) {
  const entry = cache.get(key);
  if (!entry) return;
  cache.delete(key);
  for (const obj of [entry.rgba, entry.planned, entry.opts, entry.alpha, entry.edited?.alpha]) obj?.destroy();
}

/** Keeps a removed photo's Python objects (they are then not destroyed by remove()). */
export function keepForEdits(key, entry) {
  drop(key);
  cache.set(key, entry);
  let pixels = 0;
  for (const e of cache.values()) pixels += e.width * e.height;
  for (const k of cache.keys()) {
    if (pixels <= CACHE_PIXELS || k === key) break;
    pixels -= cache.get(k).width * cache.get(k).height;
    drop(k);
  }
}

/** A photo of `pixels` is about to be removed: drop kept photos that would take the cache past its
 * size with it, before the new one's pixels enter the (never shrinking) Pyodide heap. */
export function makeRoom(pixels) {
  let kept = 0;
  for (const e of cache.values()) kept += e.width * e.height;
  for (const k of cache.keys()) {
    if (kept + pixels <= CACHE_PIXELS) break;
    kept -= cache.get(k).width * cache.get(k).height;
    drop(k);
  }
}

export function hasEdits(key) {
  return cache.has(key);
}

/** A remove() with `edits` in `format`: the cut-out (or the grey mask) as a Python uint8 RGBA array. */
export async function editedOutput(e, rgba, planned, opts, edits, format) {
  const g = await loadGlue(e.pyodide);
  try {
    return g.remove_with_edits(rgba, planned, opts, JSON.stringify(edits), format);
  } catch (err) {
    throw new UserError(`These edits cannot be applied: ${reason(err)}`);
  }
}

/**
 * payload: {editKey, edits (the v1 JSON object)}; the photo must be in the cache (engine-worker.js
 * runs remove() first when it is not). Resolves {blob (PNG), width, height, timings}.
 */
export async function applyEdits({ editKey, edits }, e) {
  const entry = cache.get(editKey);
  if (!entry) throw new Error('This photo is no longer kept for editing.');
  // The newest edited photo is the last to be evicted.
  cache.delete(editKey);
  cache.set(editKey, entry);
  const t0 = performance.now();
  const g = await loadGlue(e.pyodide);
  entry.alpha ??= g.pre_edit_alpha(entry.rgba, entry.planned, entry.opts);
  const strokes = Array.isArray(edits.strokes) ? edits.strokes.map((s) => JSON.stringify(s)) : [];
  const last = entry.edited;
  const extends_ = last && last.strokes.length <= strokes.length && last.strokes.every((s, i) => s === strokes[i]);
  let alpha;
  try {
    alpha = g.edit_alpha(entry.rgba, extends_ ? last.alpha : entry.alpha, JSON.stringify(edits),
      extends_ ? last.strokes.length : 0);
  } catch (err) {
    throw new UserError(`These edits cannot be applied: ${reason(err)}`);
  }
  last?.alpha.destroy();
  entry.edited = { strokes, alpha };
  const tEdit = performance.now();
  const out = g.finish(entry.rgba, alpha, entry.opts);
  const t1 = performance.now();
  let blob;
  try {
    const ob = out.getBuffer('u8clamped');
    try {
      blob = await encodePixels(ob.data, entry.width, entry.height, 'image/png');
    } finally {
      ob.release();
    }
  } finally {
    out.destroy();
  }
  const t2 = performance.now();
  return { blob, width: entry.width, height: entry.height, editKey,
    timings: { strokes: tEdit - t0, edit: t1 - t0, encode: t2 - t1, total: t2 - t0 } };
}
