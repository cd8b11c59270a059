// One friendly status line ("Ready, works offline", or what is loading and how far along it is),
// and the engine's details for the "About this engine" disclosure.
import { Stage } from '../shared/protocol.js';

const $ = (id) => document.getElementById(id);
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;

const state = { ready: false, offline: false };

export function backendLabel(info) {
  if (info.backend === 'webgpu') return 'WebGPU';
  return info.threads > 1 ? `WASM, ${info.threads} threads` : 'WASM, single thread';
}

/** What the line says when nothing else is going on. */
export function readyLine() {
  if (!state.ready) return 'Getting ready…';
  return state.offline ? 'Ready, works offline.' : 'Ready.';
}

export function say(text) {
  $('status-line').textContent = text;
}

/** Offline support finished saving the app: the idle line says so from now on. */
export function setOffline(offline) {
  const wasIdle = $('status-line').textContent === readyLine();
  state.offline = offline;
  if (wasIdle && state.ready) say(readyLine());
}

export function onProgress(p) {
  const bar = $('status-progress');
  if (p.stage === Stage.DOWNLOAD) {
    bar.hidden = false;
    bar.max = p.total;
    bar.value = p.loaded;
    // Once per model: afterwards it comes from this device's storage, offline too.
    say(`Getting ready: downloading the model (once), ${mb(p.loaded)} of ${mb(p.total)}`);
  } else if (p.stage === Stage.VERIFY) {
    say('Getting ready: checking the model…');
  } else if (p.stage === Stage.SESSION) {
    bar.hidden = true;
    say('Getting ready: preparing the model…');
  } else if (p.stage === Stage.RUNTIME) {
    say('Getting ready: loading the engine…');
  }
}

export function setBusy(busy, result) {
  const section = $('status');
  section.setAttribute('aria-busy', String(busy));
  if (result) section.dataset.state = result;
  if (result === 'ready') state.ready = true;
  if (!busy) $('status-progress').hidden = true;
}

export function showEngine(info) {
  const gpu = info.backends.webgpu;
  const rows = [
    ['Runs on', `${backendLabel(info)} (${info.backendReason})`],
    ['Model', `${info.model.id}, ${mb(info.model.bytes)} from ${info.model.source}`],
    ['ONNX Runtime Web', info.versions.ort],
    ['Pyodide', `${info.versions.pyodide} (Python ${info.versions.python})`],
    ['NumPy', info.versions.numpy],
    ['bgcut', info.versions.bgcut],
    ['Cross-origin isolated', info.crossOriginIsolated ? 'yes' : 'no'],
    ['WebGPU', gpu.available
      ? `${gpu.fallback ? 'software' : 'hardware'} adapter${gpu.shaderF16 ? ', fp16' : ''}`
      : `not available (${gpu.reason})`],
    ['Engine start', `${info.startupMs} ms`],
  ];
  $('status-details').replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    return [dt, dd];
  }));
}
