// Messages between the page (client/, api/) and the engine worker (worker/). One place, so both
// sides agree on names; every request carries an id and gets exactly one reply with the same id.

export const Request = Object.freeze({
  // {model?, backend?} -> EngineInfo. Starts the runtimes and loads the model, once per worker.
  INIT: 'init',
  // {blob, options} -> {blob, width, height, backend, timings}
  REMOVE: 'remove',
  // {target} -> nothing: the job with id `target` is dropped if it has not finished.
  CANCEL: 'cancel',
  // {editKey, edits, blob, name, options} -> {blob, width, height, editKey, timings}: a stroke list
  // (docs/API.md#edits) on a photo removed with `editable` (removed again from blob if not kept).
  EDIT: 'edit',
});

export const Reply = Object.freeze({
  RESULT: 'result',     // {id, value}
  ERROR: 'error',       // {id, message, name?}
  PROGRESS: 'progress', // {id, stage, loaded?, total?, ...}
});

// Progress stages, in the order a first visit sees them.
export const Stage = Object.freeze({
  RUNTIME: 'runtime',     // loading ONNX Runtime and Pyodide
  DOWNLOAD: 'download',   // model bytes: {loaded, total, model}
  VERIFY: 'verify',       // sha256 of a cached or fresh model
  SESSION: 'session',     // building the inference session: {backend}
  READY: 'ready',         // {backend, model}
  // Per photo, through remove()'s onProgress: the first model pass's cut-out while more passes
  // run: {blob (PNG), width, height (the preview's), photoWidth, photoHeight}.
  PREVIEW: 'preview',
});

// Result formats remove() accepts; 'mask' is the alpha as a grayscale PNG.
export const FORMATS = Object.freeze(['image/png', 'image/webp', 'mask']);
export const BACKENDS = Object.freeze(['auto', 'wasm', 'webgpu']);
