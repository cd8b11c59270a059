// ONNX Runtime in a worker of its own, started by the engine worker. A model run is synchronous
// WebAssembly on the thread that calls it: beside Pyodide it would stall Python's start for its
// whole length, and Python's start would hold back every step here that waits for the engine's
// thread. So this worker fetches the runtime and the model itself, builds the session and warms it
// up while Pyodide starts (on WASM, a small warm-up once it has). Messages (inference-client.js):
// 'start', 'session', 'warmUp', 'run'; progress events of the model download go out as {progress}.
import { isFatal } from './crash.js';
import { Stage } from '../shared/protocol.js';
import { loadModelBytes } from './model-store.js';
import { loadOrt } from './runtimes.js';
import { createSession, runModel } from './session.js';

let ort = null;
let session = null;
let entry = null;
const spans = {};

async function span(name, work) {
  const t0 = performance.now();
  try {
    return await work();
  } finally {
    spans[name] = [t0, performance.now()];
  }
}

const progress = (p) => self.postMessage({ progress: p });

// A session for this model (replacing any other), then (unless warm is false: the engine asks for
// a smaller warm-up once Python has started) one run on a blank input at the model's size.
async function build(bytes, backend, modelEntry, warm = true) {
  await session?.release?.();
  session = null;
  progress({ stage: Stage.SESSION, backend });
  const created = await span('session', () => createSession(ort, bytes, backend));
  if (warm) await warmUp(created, modelEntry, modelSide(modelEntry));
  session = created;
  entry = modelEntry;
}

const modelSide = (modelEntry) => modelEntry.input?.size || 320;

// Whether the last warm-up ran at the model's own size, reported with its span: only such a run
// tells the page how long a photo's model run takes (model-choice.js PhotoTimes).
let warmUpAtModelSize;

// One run on a blank input of size x size: ORT's first run sets up its kernels and memory.
function warmUp(created, modelEntry, size) {
  warmUpAtModelSize = size === modelSide(modelEntry);
  return span('warmUpModel', () => runModel(ort, created, modelEntry, new Float32Array(3 * size * size), size, size));
}

// The deferred warm-up's input side on WASM: big enough to run every kernel, small enough to cost
// ~0.05 s instead of a full run's 0.7 s. A 320 x 320 warm-up made the first photo no faster
// (docs/BENCHMARKS.md, engine start), and shaders, which WebGPU compiles per shape, are not in play.
const DEFERRED_WARM_UP_SIZE = 64;

const report = (source) => ({ source, threads: ort.env.wasm.numThreads, spans, timeOrigin: performance.timeOrigin, warmUpAtModelSize });

const handlers = {
  // {flavour, entry, backend, deferWarmUp}: the runtime and the model's verified bytes (fetched at
  // once), then the session, warmed up unless deferWarmUp (then 'warmUp' does it); resolves
  // {source: 'cache' | 'network', threads, spans, timeOrigin}.
  async start({ flavour, entry: modelEntry, backend, deferWarmUp = false }) {
    const [runtime, loaded] = await Promise.all([
      loadOrt(flavour, span),
      span('model', () => loadModelBytes(modelEntry, progress)),
    ]);
    ort = runtime;
    await build(loaded.bytes, backend, modelEntry, !deferWarmUp);
    return report(loaded.source);
  },
  // The warm-up run start() deferred; resolves {spans, timeOrigin} like start().
  async warmUp() {
    await warmUp(session, entry, DEFERRED_WARM_UP_SIZE);
    return report(undefined);
  },
  // {entry, backend}: another model or backend on the runtime already loaded (WebGPU's fallback).
  async session({ entry: modelEntry, backend }) {
    const loaded = await loadModelBytes(modelEntry, progress);
    await build(loaded.bytes, backend, modelEntry);
    return report(loaded.source);
  },
  // {input: Float32Array [1, 3, h, w], h, w}: resolves {data: Float32Array, dims}, data transferred.
  async run({ input, h, w }) {
    const { data, dims } = await runModel(ort, session, entry, input, h, w);
    // Outputs are copied out of ORT's heap already; a view into a larger buffer is copied again.
    const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
    return { value: { data: own, dims }, transfer: [own.buffer] };
  },
};

self.addEventListener('message', async (event) => {
  const { id, type, ...args } = event.data || {};
  try {
    const out = await handlers[type](args);
    if (out?.transfer) self.postMessage({ id, value: out.value }, out.transfer);
    else self.postMessage({ id, value: out });
  } catch (err) {
    const fatal = isFatal(err);
    self.postMessage({ id, error: err?.message || String(err), name: err?.name, fatal });
    // A trapped runtime is unusable: the engine worker learns of it with this job and closes.
    if (fatal) self.close();
  }
});
