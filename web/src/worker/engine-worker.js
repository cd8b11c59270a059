// The engine worker: owns ONNX Runtime Web and Pyodide so the page's main thread never blocks.
// One engine per worker: INIT picks the backend and model once; REMOVE jobs then run one at a time.
import { Reply, Request, Stage } from '../shared/protocol.js';
import { chooseBackend, probeWebGpu, wasmCapabilities, wasmFallback } from './backend.js';
import { decodeToPixels } from './decode.js';
import { encodePixels } from './encode.js';
import { pythonMessage, UserError } from './errors.js';
import { modelManifest } from './model-store.js';
import { Inference } from './inference-client.js';
import { previewCutout, thumbnail } from './preview.js';
import { loadPython, ortFiles, runtimeManifest } from './runtimes.js';
import { modelMemoryProblem } from './memory-budget.js';
import { warmUpImage, warmUpMask } from './warm-up.js';
import { blockSums } from './block-sums.js';
import { armTestCrash, crashIfArmed, isFatal } from './crash.js';
import { applyEdits, editedOutput, hasEdits, keepForEdits, makeRoom } from './edits.js';

const GLUE_URL = new URL('./engine_glue.py', import.meta.url);

let engine = null;          // Promise of the engine, set by the first INIT
let queue = Promise.resolve();
const cancelled = new Set();

// Where the start-up time goes: {step: [startMs, endMs]} from this worker's timeOrigin, reported in
// EngineInfo.startup (bench/browser_bench.py prints it).
const startup = {};
async function span(name, work) {
  const t0 = performance.now();
  try {
    return await work();
  } finally {
    startup[name] = [Math.round(t0), Math.round(performance.now())];
  }
}

class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortError';
  }
}

async function startPython() {
  const [pyodide, source] = await Promise.all([
    loadPython(span),
    fetch(GLUE_URL).then((r) => {
      if (!r.ok) throw new Error(`engine_glue.py missing (HTTP ${r.status})`);
      return r.text();
    }),
  ]);
  return span('imports', () => {
    pyodide.FS.writeFile('/home/pyodide/engine_glue.py', source);
    const glue = pyodide.pyimport('engine_glue');
    const versions = pyodide.runPython(
      'import numpy, bgcut, sys; {"numpy": numpy.__version__, "bgcut": bgcut.__version__, '
      + '"python": sys.version.split()[0]}',
    ).toJs({ dict_converter: Object.fromEntries });
    return { pyodide, glue, versions };
  });
}

// Spans measured in the inference worker, moved onto this worker's clock.
// Whether the warm-up model run those spans hold ran at the model's size (EngineInfo.warmUpAtModelSize).
let warmUpAtModelSize;
function addSpans({ spans, timeOrigin, warmUpAtModelSize: full }) {
  const shift = timeOrigin - performance.timeOrigin;
  for (const [name, [a, b]] of Object.entries(spans)) startup[name] = [Math.round(a + shift), Math.round(b + shift)];
  if (full !== undefined) warmUpAtModelSize = full;
}

async function buildSession(models, choice, progress) {
  const flavour = choice.backend === 'webgpu' ? 'webgpu' : 'wasm';
  let { entry, backend } = choice;
  const inference = new Inference(progress);
  // On WASM the model's warm-up run waits for Python's start: both need the same two cores, and
  // Python's start is the longer path (docs/BENCHMARKS.md). WebGPU warms up here, where a model
  // that cannot run there still falls back to WASM.
  const deferWarmUp = flavour === 'wasm';
  try {
    try {
      const started = await inference.start(flavour, entry, backend, { deferWarmUp });
      addSpans(started);
      return { inference, threads: started.threads, flavour, entry, backend, source: started.source,
        deferWarmUp };
    } catch (err) {
      if (backend !== 'webgpu' || choice.reason === 'requested' || isFatal(err)) throw err;
      // 'auto' chose WebGPU but the model does not build there: the same architecture on WASM.
      entry = wasmFallback(models, entry);
      backend = 'wasm';
      const again = await inference.session(entry, backend);
      return { inference, threads: again.threads, flavour, entry, backend, source: again.source,
        fallbackReason: pythonMessage(err) };
    }
  } catch (err) {
    inference.terminate();
    throw err;
  }
}

// The first photo's path once through, on a small synthetic photo and a synthetic mask instead of
// the model (warmed above): decoding, numpy, every bgcut step the defaults take, and encoding.
async function warmUpPipeline(e) {
  const blob = await warmUpImage();
  await remove(0, { blob, name: 'warm-up.jpg' }, () => {}, e, warmUpMask);
}

async function init({ model, backend = 'auto' } = {}, progress) {
  const t0 = performance.now();
  progress({ stage: Stage.RUNTIME });
  const python = startPython();   // the slowest start; runs beside the model download
  python.catch(() => {});
  const [runtime, models, gpu] = await span('manifests', () => Promise.all(
    [runtimeManifest(), modelManifest(), probeWebGpu()],
  ));
  const choice = chooseBackend(models, { model, backend }, gpu);
  // Before a byte of a large model is fetched: a device that cannot hold it gets a message instead.
  const memoryProblem = modelMemoryProblem(models, choice.entry);
  if (memoryProblem) throw new UserError(memoryProblem);
  const built = await buildSession(models, choice, progress);
  const tSession = performance.now();
  const { pyodide, glue, versions } = await python;
  // The model's plan defaults (manifest plans[architecture]) under every job's options.
  const plan = models.plans?.[built.entry.architecture] || {};
  const pyPlan = pyodide.toPy(plan);
  try {
    glue.set_plan(pyPlan);
  } finally {
    pyPlan.destroy();
  }
  const e = { ...built, pyodide, glue };
  let warmUpError;
  const modelWarm = built.deferWarmUp ? built.inference.warmUp().then(addSpans) : null;
  modelWarm?.catch(() => {});
  try {
    await span('warmUpPipeline', () => warmUpPipeline(e));
    await modelWarm;
  } catch (err) {
    // A broken runtime must not take photos; anything else the photos will report themselves.
    if (isFatal(err)) throw err;
    warmUpError = err?.message || String(err);
    console.warn('bgremove: the warm-up failed:', warmUpError);
  }
  const info = {
    crossOriginIsolated: self.crossOriginIsolated,
    versions: { ort: runtime.ort.version, pyodide: pyodide.version, ...versions },
    backends: { wasm: wasmCapabilities(), webgpu: gpu },
    backend: built.backend,
    backendReason: built.fallbackReason ? `WebGPU failed: ${built.fallbackReason}` : choice.reason,
    threads: built.backend === 'wasm' ? built.threads : undefined,
    model: { id: built.entry.id, variant: built.entry.variant, bytes: built.entry.bytes, source: built.source,
      architecture: built.entry.architecture },
    // The plan defaults this model runs under the options of each remove() call.
    plan,
    startupMs: Math.round(performance.now() - t0),
    sessionReadyMs: Math.round(tSession - t0),
    // Spans from the worker's timeOrigin; timeOrigin lets a page line them up with its own clock.
    startup: { ...startup, timeOrigin: performance.timeOrigin },
    warmUpAtModelSize,
    warmUpError,
    // The runtime files this engine loaded that the service worker does not precache for everyone.
    runtimeFiles: ortFiles(runtime, built.flavour),
  };
  progress({ stage: Stage.READY, backend: info.backend, model: info.model.id });
  return { ...e, info };
}

function checkCancelled(id) {
  if (cancelled.delete(id)) throw new Cancelled();
}

// progress: per-job events (the 'preview'); e: the engine (the warm-up passes its own before INIT
// resolves); infer(input, h, w) -> {data, dims}: the model run, replaced by a stand-in for the warm-up.
// editable: keep the photo's pixels and plan for EDIT requests, under editKey (default: this id).
// edits: a stroke list applied before the result is encoded (docs/API.md#edits).
async function remove(id, { blob, name, options = {}, format = 'image/png', quality, editable, editKey, edits },
  progress, e, infer) {
  if (!e) {
    if (!engine) throw new Error('The engine has not been started.');
    e = await engine;
  }
  infer ??= (input, h, w) => e.inference.run(input, h, w);
  const { glue, pyodide } = e;
  const t = { start: performance.now() };
  const opts = pyodide.toPy(options);
  const pyObjects = [opts];
  try {
    try {
      glue.check_options(opts);
    } catch (err) {
      throw new UserError(`Invalid option: ${pythonMessage(err)}`);
    }
    const { pixels, width, height, warnings, downscaled, runtimeFiles } = await decodeToPixels(blob, name);
    makeRoom(width * height); // photos kept for editing give way first
    // Only Safari draws HEIC itself: the page gets the decoded photo for its before/after view.
    const original = runtimeFiles
      ? await createImageBitmap(new ImageData(pixels, width, height), { premultiplyAlpha: 'none' }) : null;
    checkCancelled(id);
    await crashIfArmed(pyodide);
    // A small copy of the photo, for the preview should the plan run the model more than once;
    // taken now so the full-size pixels need not stay alive for it.
    const thumb = thumbnail(pixels, width, height);
    const rgba = glue.pixels_from_js(pixels, height, width);
    pyObjects.push(rgba);
    t.decoded = performance.now();

    // Flip TTA and the crop pass run the model several times; bgcut.passes decides the runs
    // exactly as the CLI does, and each run comes back here.
    let inferenceMs = 0;
    let modelRuns = 0;
    let firstMask = null;
    let preview = null;
    const runModelOn = async (x) => {
      const xb = x.getBuffer('f32');
      const [, , h, w] = xb.shape;
      // ORT copies the input into its own heap anyway; slice() detaches it from Pyodide's memory.
      const input = xb.data.slice();
      xb.release();
      checkCancelled(id);
      if (firstMask && !preview) {
        // A second model run is coming: show the first pass's cut-out meanwhile. The first pass
        // always sees the whole photo, so its mask maps onto the photo by scaling alone.
        preview = previewCutout(thumb, firstMask).then(
          (p) => progress({ stage: Stage.PREVIEW, ...p, photoWidth: width, photoHeight: height }),
          (err) => console.warn('bgremove: no preview:', err),
        );
      }
      const t0 = performance.now();
      const mask = await infer(input, h, w);
      inferenceMs += performance.now() - t0;
      modelRuns += 1;
      const out = { data: mask.data, h: mask.dims[2], w: mask.dims[3] };
      firstMask ??= out;
      return out;
    };
    const rule = pyodide.toPy(e.entry.input);
    pyObjects.push(rule);
    // The working copy's block sums are added up here, not in NumPy (see block-sums.js).
    const scale = glue.work_scale(height, width);
    const sums = scale > 1 ? blockSums(pixels, width, height, scale).sums : null;
    const pyMask = await glue.predict_mask(rgba, opts, rule, runModelOn, sums);
    pyObjects.push(pyMask);
    editKey = editable ? String(editKey ?? id) : undefined;
    if (editKey) {
      keepForEdits(editKey, { rgba, planned: pyMask, opts, width, height });
      pyObjects.splice(0, pyObjects.length, rule); // the cache owns the rest now
    }
    // The preview's message goes out before the final result's.
    await preview;
    checkCancelled(id);
    t.inferred = performance.now();
    t.preprocessed = t.inferred - inferenceMs;

    let out;
    try {
      out = edits ? await editedOutput(e, rgba, pyMask, opts, edits, format)
        : glue.postprocess(rgba, pyMask, opts, format);
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`Could not process this image: ${pythonMessage(err)}`);
    }
    pyObjects.push(out);
    t.postprocessed = performance.now();

    const ob = out.getBuffer('u8clamped');
    let result;
    try {
      result = await encodePixels(ob.data, width, height, format === 'mask' ? 'image/png' : format, quality);
    } finally {
      ob.release();
    }
    t.encoded = performance.now();
    return {
      blob: result,
      width,
      height,
      warnings,
      // Set when the photo was processed at a smaller size to fit this device's memory:
      // {from_mp, to_mp, from_width, from_height}; width and height above are the working size.
      ...(downscaled ? { downscaled } : {}),
      // Lazy runtime files this photo needed (the HEIC decoder), for the service worker to keep.
      ...(runtimeFiles ? { runtimeFiles } : {}),
      ...(original ? { original } : {}),
      ...(editKey ? { editKey } : {}),
      // WASM memory only grows, so this is Pyodide's peak heap so far (docs/BENCHMARKS.md#limits-and-memory).
      memory: { pyodideHeapBytes: pyodide._module?.HEAPU8?.buffer.byteLength },
      backend: e.backend,
      model: e.entry.id,
      // How many times the plan ran the model (the page's time estimate for another model uses it).
      modelRuns,
      timings: {
        decode: t.decoded - t.start,
        preprocess: t.preprocessed - t.decoded,
        inference: t.inferred - t.preprocessed,
        postprocess: t.postprocessed - t.inferred,
        encode: t.encoded - t.postprocessed,
        total: t.encoded - t.start,
      },
    };
  } finally {
    for (const obj of pyObjects) obj.destroy();
  }
}

// A stroke list on a photo removed with `editable`; a photo no longer kept (evicted, or a restarted
// worker) is removed again from its blob first, so edits never depend on the cache.
async function edit(id, payload) {
  const e = await engine;
  if (!hasEdits(payload.editKey)) {
    await remove(id, { ...payload, format: 'image/png', editable: true }, () => {}, e);
    checkCancelled(id);
  }
  return applyEdits(payload, e);
}

function reply(message) {
  self.postMessage(message);
}

self.addEventListener('message', (event) => {
  const { id, type, payload } = event.data || {};
  const progress = (p) => reply({ id, type: Reply.PROGRESS, ...p });
  let work;
  if (type === Request.INIT) {
    engine ??= init(payload, progress);
    work = engine.then((en) => en.info);
  } else if (type === Request.REMOVE) {
    // One job at a time: a session must not run twice at once, and memory stays bounded.
    work = queue.then(() => {
      checkCancelled(id);
      // Tells the page this job is the one in flight, should the worker die during it.
      reply({ id, type: Reply.PROGRESS, stage: Stage.STARTED });
      return remove(id, payload, progress);
    });
    queue = work.catch(() => {});
  } else if (type === Request.EDIT) {
    work = queue.then(() => {
      checkCancelled(id);
      return edit(id, payload);
    });
    queue = work.catch(() => {});
  } else if (type === Request.CANCEL) {
    cancelled.add(payload.target);
    return;
  } else if (type === Request.TEST_CRASH) {
    work = Promise.resolve().then(() => armTestCrash(payload));
  } else {
    reply({ id, type: Reply.ERROR, message: `unknown request ${type}` });
    return;
  }
  work.then(
    (value) => {
      cancelled.delete(id);
      reply({ id, type: Reply.RESULT, value });
    },
    (err) => {
      cancelled.delete(id);
      const fatal = isFatal(err);
      reply({ id, type: Reply.ERROR, message: err?.message || String(err), name: err?.name || 'Error', fatal });
      // A trap or an abort leaves the WASM heaps in an unknown state: the page starts a new worker.
      if (fatal) self.close();
    },
  );
});
