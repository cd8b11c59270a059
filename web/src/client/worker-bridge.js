// One small bridge to the engine worker: request/reply by id, progress callbacks, cancel, and
// shutting the worker down after it has been idle (its WASM heaps hold hundreds of MB). A worker
// started again after idling first replays `initRequest`, so callers never see the restart.
import { Reply, Request, Stage } from '../shared/protocol.js';

const WORKER_URL = new URL('../worker/engine-worker.js', import.meta.url);
// Test-only crash hooks exist in the worker only when the page itself was opened with ?testhooks=1.
if (new URLSearchParams(globalThis.location?.search || '').get('testhooks') === '1') {
  WORKER_URL.searchParams.set('testhooks', '1');
}
// ?memory-budget-mb=N forces the per-photo memory budget (web/src/worker/memory-budget.js).
const FORCED_BUDGET = new URLSearchParams(globalThis.location?.search || '').get('memory-budget-mb');
if (FORCED_BUDGET) WORKER_URL.searchParams.set('memory-budget-mb', FORCED_BUDGET);

export const CRASH_MESSAGE = 'The engine stopped unexpectedly while processing this image';

export class WorkerBridge {
  constructor({ idleMs = 5 * 60_000, initRequest = null } = {}) {
    this.idleMs = idleMs;
    this.initRequest = initRequest; // {payload, onProgress}
    this.worker = null;
    this.pending = new Map();
    this.nextId = 1;
    this.idleTimer = null;
    this.initPromise = null;
  }

  // Resolves with the INIT reply of the current worker (starting one if needed).
  ready() {
    this.#ensureWorker();
    return this.initPromise;
  }

  request(type, payload, { onProgress, signal, transfer = [] } = {}) {
    if (signal?.aborted) return Promise.reject(abortError());
    const worker = this.#ensureWorker();
    const id = this.nextId++;
    clearTimeout(this.idleTimer);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, type, payload, transfer, started: false });
      signal?.addEventListener('abort', () => {
        // The worker cannot be interrupted mid-inference; it skips the job's remaining stages
        // and the reply is dropped here.
        if (!this.pending.delete(id)) return;
        this.worker?.postMessage({ id: 0, type: Request.CANCEL, payload: { target: id } });
        reject(abortError());
        this.#armIdle();
      }, { once: true });
      worker.postMessage({ id, type, payload }, transfer);
    });
  }

  // Resolves once no request has been in flight for quietMs (checked every quantum): for
  // background work that must not slow a photo down, such as the service worker's precache.
  quiet(quietMs, quantum = 250) {
    return new Promise((resolve) => {
      let quietFor = 0;
      const check = () => {
        quietFor = this.pending.size ? 0 : quietFor + quantum;
        if (quietFor >= quietMs) resolve();
        else setTimeout(check, quantum);
      };
      setTimeout(check, quantum);
    });
  }

  terminate(reason = 'engine stopped') {
    clearTimeout(this.idleTimer);
    this.worker?.terminate();
    this.worker = null;
    this.initPromise = null;
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of jobs) reject(new Error(reason));
  }

  #ensureWorker() {
    if (this.worker) return this.worker;
    this.worker = new Worker(WORKER_URL, { type: 'module', name: 'bgremove-engine' });
    this.worker.addEventListener('message', (e) => this.#onMessage(e.data));
    this.worker.addEventListener('error', (e) => this.#onCrash(e.message || 'engine worker failed'));
    if (this.initRequest) {
      const { payload, onProgress } = this.initRequest;
      this.initPromise = this.request(Request.INIT, payload, { onProgress });
      this.initPromise.catch(() => {});
    }
    return this.worker;
  }

  #onMessage({ id, type, value, message, name, ...rest }) {
    const job = this.pending.get(id);
    if (!job) return;
    if (type === Reply.PROGRESS) {
      if (rest.stage === Stage.STARTED) job.started = true;
      else job.onProgress?.(rest);
      return;
    }
    this.pending.delete(id);
    if (rest.fatal) {
      job.reject(new Error(`${CRASH_MESSAGE} (${message}); it has been restarted.`));
      this.#onCrash(message);
      return;
    }
    if (type === Reply.RESULT) {
      job.resolve(value);
    } else {
      const err = new Error(message);
      if (name && name !== 'Error') err.name = name;
      job.reject(err);
    }
    this.#armIdle();
  }

  // The worker died (a trap, out of memory, an uncaught exception): the job it was running fails
  // with a clear message, jobs still waiting in its queue go to a fresh worker, which replays INIT.
  #onCrash(message) {
    clearTimeout(this.idleTimer);
    this.worker?.terminate();
    this.worker = null;
    this.initPromise = null;
    const jobs = [...this.pending.entries()];
    this.pending.clear();
    // A worker that dies while starting would die again: then nothing is retried.
    const starting = jobs.some(([, job]) => job.type === Request.INIT);
    const again = [];
    for (const [id, job] of jobs) {
      if (job.type === Request.INIT) {
        job.reject(new Error(`The engine stopped unexpectedly while starting (${message}).`));
      } else if (starting || job.started || job.type !== Request.REMOVE) {
        job.reject(new Error(`${CRASH_MESSAGE} (${message}); it has been restarted.`));
      } else {
        again.push([id, job]);
      }
    }
    if (!again.length) return;
    const worker = this.#ensureWorker();
    for (const [id, job] of again) {
      job.started = false;
      this.pending.set(id, job);
      worker.postMessage({ id, type: job.type, payload: job.payload }, job.transfer);
    }
  }

  #armIdle() {
    if (this.pending.size || !Number.isFinite(this.idleMs)) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.terminate('engine stopped after idling'), this.idleMs);
  }
}

function abortError() {
  return new DOMException('cancelled', 'AbortError');
}
