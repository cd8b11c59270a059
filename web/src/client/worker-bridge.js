// One small bridge to the engine worker: request/reply by id, progress callbacks, cancel, and
// shutting the worker down after it has been idle (its WASM heaps hold hundreds of MB).
import { Reply } from '../shared/protocol.js';

const WORKER_URL = new URL('../worker/engine-worker.js', import.meta.url);

export class WorkerBridge {
  constructor({ idleMs = 5 * 60_000 } = {}) {
    this.idleMs = idleMs;
    this.worker = null;
    this.pending = new Map();
    this.nextId = 1;
    this.idleTimer = null;
  }

  request(type, payload, { onProgress, signal, transfer = [] } = {}) {
    if (signal?.aborted) return Promise.reject(abortError());
    const worker = this.#ensureWorker();
    const id = this.nextId++;
    clearTimeout(this.idleTimer);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      signal?.addEventListener('abort', () => {
        // The worker cannot be interrupted mid-inference; dropping the reply is the cancel.
        if (this.pending.delete(id)) reject(abortError());
        this.#armIdle();
      }, { once: true });
      worker.postMessage({ id, type, payload }, transfer);
    });
  }

  terminate() {
    this.worker?.terminate();
    this.worker = null;
    for (const { reject } of this.pending.values()) reject(new Error('engine stopped'));
    this.pending.clear();
  }

  #ensureWorker() {
    if (this.worker) return this.worker;
    this.worker = new Worker(WORKER_URL, { type: 'module', name: 'bgremove-engine' });
    this.worker.addEventListener('message', (e) => this.#onMessage(e.data));
    this.worker.addEventListener('error', (e) => this.#onCrash(e.message || 'engine worker failed'));
    return this.worker;
  }

  #onMessage({ id, type, value, message, ...rest }) {
    const job = this.pending.get(id);
    if (!job) return;
    if (type === Reply.PROGRESS) {
      job.onProgress?.(rest);
      return;
    }
    this.pending.delete(id);
    if (type === Reply.RESULT) job.resolve(value);
    else job.reject(new Error(message));
    this.#armIdle();
  }

  #onCrash(message) {
    const jobs = [...this.pending.values()];
    this.pending.clear();
    this.worker?.terminate();
    this.worker = null;
    for (const job of jobs) job.reject(new Error(`the engine stopped unexpectedly: ${message}`));
  }

  #armIdle() {
    if (this.pending.size) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.terminate(), this.idleMs);
  }
}

function abortError() {
  return new DOMException('cancelled', 'AbortError');
}
