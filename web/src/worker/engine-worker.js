// The engine worker: owns ONNX Runtime Web and Pyodide so the page's main thread never blocks.
import { Reply, Request } from '../shared/protocol.js';
import { probeWebGpu, wasmCapabilities } from './backend.js';
import { loadOrt, loadPython, runtimeManifest } from './runtimes.js';

let ready = null;

async function init() {
  const t0 = performance.now();
  const [manifest, webgpu] = await Promise.all([runtimeManifest(), probeWebGpu()]);
  const [ort, pyodide] = await Promise.all([loadOrt('wasm'), loadPython()]);
  const versions = pyodide.runPython(
    'import numpy, bgcut, sys; {"numpy": numpy.__version__, "bgcut": bgcut.__version__, '
    + '"python": sys.version.split()[0]}',
  ).toJs({ dict_converter: Object.fromEntries });
  return {
    crossOriginIsolated: self.crossOriginIsolated,
    versions: { ort: manifest.ort.version, ortLoaded: ort.env.versions?.web ?? manifest.ort.version, pyodide: pyodide.version, ...versions },
    backends: { wasm: wasmCapabilities(), webgpu },
    startupMs: Math.round(performance.now() - t0),
  };
}

const handlers = {
  [Request.INIT]: () => (ready ??= init()),
};

self.addEventListener('message', async (event) => {
  const { id, type, payload } = event.data || {};
  const handler = handlers[type];
  if (!handler) {
    self.postMessage({ id, type: Reply.ERROR, message: `unknown request ${type}` });
    return;
  }
  try {
    const value = await handler(payload);
    self.postMessage({ id, type: Reply.RESULT, value });
  } catch (err) {
    self.postMessage({ id, type: Reply.ERROR, message: err?.message || String(err) });
  }
});
