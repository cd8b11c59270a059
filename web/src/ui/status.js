// The engine's status, told honestly: what is downloading (bytes), which backend runs, and errors.
import { Stage } from '../shared/protocol.js';

const $ = (id) => document.getElementById(id);
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;

export function backendLabel(info) {
  if (info.backend === 'webgpu') return 'WebGPU';
  return info.threads > 1 ? `WASM, ${info.threads} threads` : 'WASM, single thread';
}

export function readyLine(info) {
  return `Ready. Running on ${backendLabel(info)} with ${info.model.id}; everything stays on this device.`;
}

export function say(text) {
  $('status-line').textContent = text;
}

export function onProgress(p) {
  const bar = $('status-progress');
  if (p.stage === Stage.DOWNLOAD) {
    bar.hidden = false;
    bar.max = p.total;
    bar.value = p.loaded;
    say(`Downloading the model${p.model ? ` ${p.model}` : ''} (first run only): ${mb(p.loaded)} of ${mb(p.total)}`);
  } else if (p.stage === Stage.VERIFY) {
    say('Checking the model…');
  } else if (p.stage === Stage.SESSION) {
    bar.hidden = true;
    say(`Preparing the model for ${p.backend === 'webgpu' ? 'WebGPU' : 'the CPU (WASM)'}…`);
  } else if (p.stage === Stage.RUNTIME) {
    say('Loading the on-device engine…');
  }
}

export function setBusy(busy, state) {
  const section = $('status');
  section.setAttribute('aria-busy', String(busy));
  if (state) section.dataset.state = state;
  if (!busy) $('status-progress').hidden = true;
}

export function showEngine(info) {
  const gpu = info.backends.webgpu;
  const rows = [
    ['Backend', `${backendLabel(info)} (${info.backendReason})`],
    ['Model', `${info.model.id}, ${mb(info.model.bytes)} from ${info.model.source}`],
    ['ONNX Runtime Web', info.versions.ort],
    ['Pyodide', `${info.versions.pyodide} (Python ${info.versions.python})`],
    ['NumPy', info.versions.numpy],
    ['bgcut', info.versions.bgcut],
    ['Cross-origin isolated', String(info.crossOriginIsolated)],
    ['WebGPU', gpu.available
      ? `${gpu.fallback ? 'software' : 'hardware'} adapter${gpu.shaderF16 ? ', fp16' : ''}`
      : `not available (${gpu.reason})`],
    ['Engine start', `${info.startupMs} ms`],
  ];
  const details = $('status-details');
  details.replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    return [dt, dd];
  }));
  details.hidden = false;
}
