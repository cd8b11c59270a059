// The public API, the same on our page (window.BgRemover) and for embedders:
//   const remover = await BgRemover.create({model, backend, onProgress});
//   const {blob, width, height, backend, timings} = await remover.remove(file, {format, ...});
//   remover.dispose();
// Everything heavy runs in the engine worker; this side only passes Blobs and options along.
import { WorkerBridge } from '../client/worker-bridge.js';
import { BACKENDS, FORMATS, Request } from '../shared/protocol.js';

// remove() options that are about the output file or the call; every other key goes to bgcut.Options.
const FILE_OPTIONS = new Set(['format', 'quality', 'signal', 'onProgress', 'editable', 'edits']);

// The service worker precaches what every device needs; runtime files only this engine needed
// (the WebGPU build of ONNX Runtime, the HEIC decoder) may load before it controls the page.
// Asking it to keep them makes the next visit work offline too. Nothing happens without one.
function keepForOffline(paths) {
  const sw = globalThis.navigator?.serviceWorker;
  if (!sw || !paths?.length) return;
  sw.getRegistration()
    .then((registration) => (registration ? sw.ready : null))
    .then((registration) => registration?.active?.postMessage({ type: 'cache-lazy', paths }))
    .catch(() => {});
}

let editKeys = 0;

export class BgRemover {
  #bridge;
  #disposed = false;
  #onProgress;

  constructor(bridge, info, onProgress) {
    this.#bridge = bridge;
    this.#onProgress = onProgress;
    this.info = info;
  }

  /**
   * Start the engine (ONNX Runtime, Pyodide + numpy + bgcut, and the model, in parallel).
   * model: 'fast' | 'best' (the manifest's tiers), an architecture or a manifest id, or omitted
   * for the default; backend: 'auto' | 'wasm' | 'webgpu'.
   * onProgress({stage, loaded?, total?, backend?, model?}) reports download bytes and stages.
   * idleMs: stop the worker after this long without work (it restarts on the next remove()).
   */
  static async create({ model, backend = 'auto', onProgress, idleMs = 5 * 60_000 } = {}) {
    if (!BACKENDS.includes(backend)) {
      throw new Error(`backend must be one of ${BACKENDS.join(', ')}; got "${backend}".`);
    }
    if (model !== undefined && typeof model !== 'string') {
      throw new Error("model must be a string: 'fast', 'best', an architecture or a model id.");
    }
    const bridge = new WorkerBridge({ idleMs, initRequest: { payload: { model, backend }, onProgress } });
    try {
      const info = await bridge.ready();
      keepForOffline(info.runtimeFiles);
      return new BgRemover(bridge, info, onProgress);
    } catch (err) {
      bridge.terminate();
      throw err;
    }
  }

  get backend() {
    return this.info.backend;
  }

  get model() {
    return this.info.model.id;
  }

  /**
   * Cut out one image. format: 'image/png' (default) | 'image/webp' | 'mask' (the alpha as a
   * grayscale PNG at the input size); quality: 0..1 for WebP; signal: an AbortSignal. Other keys are
   * bgcut.Options fields (refine, radius, eps, subsample, threshold, threshold_softness, edge_shift,
   * feather, decontaminate, background). onProgress (default: the one given to create()) gets
   * {stage: 'preview', blob, width, height, photoWidth, photoHeight} when the plan runs the model
   * more than once: the first pass's cut-out, small, before the final result. Resolves {blob, width, height, backend, model, timings,
   * warnings} (warnings: strings such as "Animated GIF: only the first frame was used.").
   * Rejects with a message meant for people (bad file, too large, engine crash); after an engine
   * crash the next remove() runs on a fresh worker.
   */
  async remove(file, options = {}) {
    if (this.#disposed) throw new Error('This remover has been disposed; create a new one.');
    if (!(file instanceof Blob)) throw new Error('remove() expects a File or Blob holding an image.');
    const { format = 'image/png', quality, signal, onProgress = this.#onProgress, editable, edits } = options;
    if (edits !== undefined && (!edits || typeof edits !== 'object')) {
      throw new Error('edits must be the edits object ({version, photo, strokes}).');
    }
    if (!FORMATS.includes(format)) {
      throw new Error(`format must be one of ${FORMATS.join(', ')}; got "${format}".`);
    }
    if ('output' in options) throw new Error('Use format: "mask" instead of the output option.');
    const bgOptions = {};
    for (const [key, value] of Object.entries(options)) {
      if (!FILE_OPTIONS.has(key) && value !== undefined) bgOptions[key] = value;
    }
    const t0 = performance.now();
    const name = typeof file.name === 'string' ? file.name : '';
    await this.#bridge.ready();
    const result = await this.#bridge.request(
      Request.REMOVE,
      { blob: file, name, options: bgOptions, format, quality, editable: editable === true, edits },
      { signal, onProgress },
    );
    result.timings.worker = result.timings.total;
    result.timings.total = performance.now() - t0;
    // A first HEIC file may arrive before the service worker controls the page (first visit).
    if (result.runtimeFiles) keepForOffline(result.runtimeFiles);
    delete result.runtimeFiles;
    return result;
  }

  /**
   * Touch-up edits (docs/API.md#edits): `edits` is the v1 stroke list ({version, photo, strokes})
   * in the photo's pixels. `editKey` is the one a remove(file, {editable: true}) result carried,
   * which keeps that photo's model output in the worker so no model runs again; without it (or
   * once the worker no longer keeps it) the photo is removed again first. Other keys as remove()'s
   * edge options, which must be the ones the photo was removed with. Resolves {blob (PNG cut-out),
   * width, height, editKey, timings}.
   */
  async applyEdits(file, edits, options = {}) {
    if (this.#disposed) throw new Error('This remover has been disposed; create a new one.');
    if (!(file instanceof Blob)) throw new Error('applyEdits() expects the File or Blob of the photo.');
    if (!edits || typeof edits !== 'object') throw new Error('applyEdits() expects the edits object.');
    const { signal, editKey } = options;
    const bgOptions = {};
    for (const [key, value] of Object.entries(options)) {
      if (!FILE_OPTIONS.has(key) && key !== 'editKey' && value !== undefined) bgOptions[key] = value;
    }
    const name = typeof file.name === 'string' ? file.name : '';
    await this.#bridge.ready();
    return this.#bridge.request(
      Request.EDIT,
      { blob: file, name, options: bgOptions, edits, editKey: editKey ?? `edit-${++editKeys}` },
      { signal },
    );
  }

  // Tests only: makes the worker's next job crash ('trap' | 'uncaught'). The worker refuses it unless
  // this page was opened with ?testhooks=1.
  _testCrash(mode) {
    return this.#bridge.request(Request.TEST_CRASH, { mode });
  }

  // Resolves once this remover has had no photo in flight for quietMs.
  whenQuiet(quietMs = 2000) {
    return this.#bridge.quiet(quietMs);
  }

  dispose() {
    this.#disposed = true;
    this.#bridge.terminate('This remover has been disposed.');
  }
}
