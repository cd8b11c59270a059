// The engine worker's side of inference-worker.js: one ONNX Runtime worker, requests by id.

const WORKER_URL = new URL('./inference-worker.js', import.meta.url);

export class Inference {
  #worker;
  #pending = new Map();
  #next = 1;

  // onProgress: the model download's {stage: 'download' | 'verify' | 'session', ...} events.
  constructor(onProgress = () => {}) {
    this.onProgress = onProgress;
    this.#worker = new Worker(WORKER_URL, { type: 'module', name: 'bgremove-inference' });
    this.#worker.addEventListener('message', (e) => this.#onMessage(e.data));
    // The worker died outside a request (an uncaught error, out of memory): a trap for every caller.
    this.#worker.addEventListener('error', (e) => {
      e.preventDefault?.();
      this.#failAll(new WebAssembly.RuntimeError(`the inference worker stopped: ${e.message || 'unknown error'}`));
    });
  }

  #request(type, args, transfer = []) {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, type, ...args }, transfer);
    });
  }

  #onMessage({ id, value, error, name, fatal, progress }) {
    if (progress) {
      this.onProgress(progress);
      return;
    }
    const job = this.#pending.get(id);
    if (!job) return;
    this.#pending.delete(id);
    if (error === undefined) {
      job.resolve(value);
      return;
    }
    // A trap there leaves that runtime broken: reported as a trap here, so the engine restarts.
    const err = fatal ? new WebAssembly.RuntimeError(error) : new Error(error);
    if (!fatal && name && name !== 'Error') err.name = name;
    job.reject(err);
    if (fatal) this.#failAll(new WebAssembly.RuntimeError(`the inference worker stopped: ${error}`));
  }

  #failAll(err) {
    const jobs = [...this.#pending.values()];
    this.#pending.clear();
    for (const job of jobs) job.reject(err);
  }

  // ORT flavour 'wasm' | 'webgpu', the model of this manifest entry and a warmed-up session on
  // backend; resolves {source, threads, spans, timeOrigin}.
  // deferWarmUp: leave the warm-up run to warmUp(), for when the cores are free.
  start(flavour, entry, backend, { deferWarmUp = false } = {}) {
    return this.#request('start', { flavour, entry, backend, deferWarmUp });
  }

  // The warm-up run start() was told to defer; resolves {spans, timeOrigin}.
  warmUp() {
    return this.#request('warmUp', {});
  }

  // Another model or backend on the same runtime; resolves like start().
  session(entry, backend) {
    return this.#request('session', { entry, backend });
  }

  // input: Float32Array [1, 3, h, w] (transferred); resolves {data: Float32Array, dims}.
  run(input, h, w) {
    return this.#request('run', { input, h, w }, [input.buffer]);
  }

  terminate() {
    this.#worker.terminate();
    this.#failAll(new Error('the inference worker was stopped'));
  }
}
