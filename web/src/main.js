// Page entry: start the engine worker and show what it reports.
import { Request } from './shared/protocol.js';
import { WorkerBridge } from './client/worker-bridge.js';

const statusEl = document.getElementById('status');
const line = document.getElementById('status-line');
const details = document.getElementById('status-details');

function show(rows) {
  details.replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    return [dt, dd];
  }));
  details.hidden = false;
}

async function boot() {
  const bridge = new WorkerBridge();
  window.bgremoveEngine = bridge;
  try {
    const info = await bridge.request(Request.INIT);
    const gpu = info.backends.webgpu;
    show([
      ['ONNX Runtime Web', info.versions.ort],
      ['Pyodide', `${info.versions.pyodide} (Python ${info.versions.python})`],
      ['NumPy', info.versions.numpy],
      ['bgcut', info.versions.bgcut],
      ['Cross-origin isolated', String(info.crossOriginIsolated)],
      ['WASM', info.backends.wasm.threads ? `${info.backends.wasm.cores} threads` : 'single thread'],
      ['WebGPU', gpu.available ? `${gpu.fallback ? 'software' : 'hardware'} adapter${gpu.shaderF16 ? ', fp16' : ''}` : `not available (${gpu.reason})`],
      ['Engine start', `${info.startupMs} ms`],
    ]);
    line.textContent = 'Ready. Everything runs on this device.';
    statusEl.dataset.state = 'ready';
    window.bgremoveReady = info;
  } catch (err) {
    line.textContent = `The engine could not start: ${err.message}`;
    statusEl.dataset.state = 'error';
    window.bgremoveReady = { error: err.message };
  } finally {
    statusEl.setAttribute('aria-busy', 'false');
  }
}

boot();
