// ONNX Runtime in a worker of its own, started by the engine worker. A model run is synchronous
// WebAssembly on the thread that calls it: beside Pyodide it would stall Python's start for its
// whole length. Here the runtime's download, compilation, session and warm-up run while Pyodide
// starts, on the other core. Messages (inference-client.js): 'load', 'session', 'run'.
import { isFatal } from './crash.js';
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

const handlers = {
  // {flavour}: the runtime; resolves {threads, spans}.
  async load({ flavour }) {
    ort = await loadOrt(flavour, span);
    return { threads: ort.env.wasm.numThreads, spans, timeOrigin: performance.timeOrigin };
  },
  // {bytes, backend, entry}: a session for this model (replacing any other); resolves {spans}.
  async session({ bytes, backend, entry: modelEntry }) {
    await session?.release?.();
    session = null;
    session = await span('session', () => createSession(ort, bytes, backend));
    entry = modelEntry;
    return { spans, timeOrigin: performance.timeOrigin };
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
