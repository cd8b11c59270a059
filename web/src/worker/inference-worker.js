// ONNX Runtime in a worker of its own, started by the engine worker. A model run is synchronous
// WebAssembly on the thread that calls it: beside Pyodide it would stall Python's start for its
// whole length, and Python's start would hold back every step here that waits for the engine's
// thread. So this worker fetches the runtime and the model itself, builds the session and warms it
// up while Pyodide starts. Messages (inference-client.js): 'start', 'session', 'run'; progress
// events of the model download go out as {progress}.
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

// A session for this model (replacing any other), run once on a blank input at the model's size:
// ORT's first run sets up memory and kernels, done now rather than with the first photo.
async function build(bytes, backend, modelEntry) {
  await session?.release?.();
  session = null;
  progress({ stage: Stage.SESSION, backend });
  const created = await span('session', () => createSession(ort, bytes, backend));
  const { size = 320 } = modelEntry.input || {};
  await span('warmUpModel', () => runModel(ort, created, modelEntry, new Float32Array(3 * size * size), size, size));
  session = created;
  entry = modelEntry;
}

const report = (source) => ({ source, threads: ort.env.wasm.numThreads, spans, timeOrigin: performance.timeOrigin });

const handlers = {
  // {flavour, entry, backend}: the runtime and the model's verified bytes (fetched at once), then
  // the session; resolves {source: 'cache' | 'network', threads, spans, timeOrigin}.
  async start({ flavour, entry: modelEntry, backend }) {
    const [runtime, loaded] = await Promise.all([
      loadOrt(flavour, span),
      span('model', () => loadModelBytes(modelEntry, progress)),
    ]);
    ort = runtime;
    await build(loaded.bytes, backend, modelEntry);
    return report(loaded.source);
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
