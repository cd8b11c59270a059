// Messages between the page (client/, api/) and the engine worker (worker/). One place, so both
// sides agree on names; every request carries an id and gets exactly one reply with the same id.

export const Request = Object.freeze({
  // {model?, backend?} -> EngineInfo. Starts the runtimes and loads the model, once per worker.
  // EngineInfo: {crossOriginIsolated, versions: {ort, pyodide, numpy, bgcut, python},
  // backends: {wasm, webgpu}, backend, backendReason, threads? (wasm), model: {id, variant, bytes,
  // source, architecture}, plan (the model's option defaults), startupMs, sessionReadyMs,
  // startup: {step: [startMs, endMs], timeOrigin}, warmUpAtModelSize? (the warm-up model run's input
  // was the model's own size), warmUpError?, runtimeFiles} (engine-worker.js init()).
  INIT: 'init',
  // {blob, name?, options?, format?, quality?, editable?, editKey?, edits?} -> {blob, width, height,
  // warnings, downscaled?, runtimeFiles?, original?, editKey?, memory: {pyodideHeapBytes}, backend,
  // model, timings: {decode, preprocess, inference, postprocess, encode, total}}. options: bgcut
  // Options as a dict; format: one of FORMATS (engine-worker.js remove()).
  REMOVE: 'remove',
  // {target} -> nothing: the job with id `target` is dropped if it has not finished.
  CANCEL: 'cancel',
  // {mode: 'trap' | 'uncaught'} -> {armed}: the next job crashes the worker that way. Refused
  // unless the page was opened with ?testhooks=1 (worker/crash.js).
  TEST_CRASH: 'test-crash',
  // {editKey, edits, blob, name, options} -> {blob, width, height, editKey, timings}: a stroke list
  // (docs/API.md#edits) on a photo removed with `editable` (removed again from blob if not kept).
  EDIT: 'edit',
});

export const Reply = Object.freeze({
  RESULT: 'result',     // {id, value}
  // {id, message, name?, fatal?}: fatal (a trap, out of memory) means the worker is closing and
  // the bridge starts a new one.
  ERROR: 'error',
  PROGRESS: 'progress', // {id, stage, ...the stage's fields below}
});

// Progress stages, in the order a first visit sees them.
export const Stage = Object.freeze({
  RUNTIME: 'runtime',     // loading ONNX Runtime and Pyodide
  DOWNLOAD: 'download',   // model bytes: {loaded, total}
  VERIFY: 'verify',       // sha256 of a cached or fresh model
  SESSION: 'session',     // building the inference session: {backend}
  READY: 'ready',         // {backend, model}
  // Per photo, through remove()'s onProgress: the first model pass's cut-out while more passes
  // run: {blob (PNG), width, height (the preview's), photoWidth, photoHeight}.
  PREVIEW: 'preview',
  // Per photo, bridge only (never passed to onProgress): this job is the one the worker is running,
  // so a crash now fails it instead of re-sending it (client/worker-bridge.js).
  STARTED: 'started',
});

// Result formats remove() accepts; 'mask' is the alpha as a grayscale PNG.
export const FORMATS = Object.freeze(['image/png', 'image/webp', 'mask']);
export const BACKENDS = Object.freeze(['auto', 'wasm', 'webgpu']);
