// Page entry: start one remover with the default model and backend, and wire up the picker.
import { BgRemover } from './api/bg-remover.js';
import { Stage } from './shared/protocol.js';

window.BgRemover = BgRemover;

const $ = (id) => document.getElementById(id);
const statusEl = $('status');
const line = $('status-line');
const bar = $('status-progress');
const details = $('status-details');
const input = $('file-input');
const dropZone = $('drop-zone');
const results = $('results');

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

function showDetails(rows) {
  details.replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    return [dt, dd];
  }));
  details.hidden = false;
}

function onProgress(p) {
  if (p.stage === Stage.DOWNLOAD) {
    bar.hidden = false;
    bar.max = p.total;
    bar.value = p.loaded;
    line.textContent = `Downloading the model: ${mb(p.loaded)} of ${mb(p.total)}`;
  } else if (p.stage === Stage.VERIFY) {
    line.textContent = 'Checking the model…';
  } else if (p.stage === Stage.SESSION) {
    bar.hidden = true;
    line.textContent = `Preparing the model for ${p.backend === 'webgpu' ? 'WebGPU' : 'the CPU (WASM)'}…`;
  } else if (p.stage === Stage.RUNTIME) {
    line.textContent = 'Loading the on-device engine…';
  }
}

function backendLabel(info) {
  if (info.backend === 'webgpu') return 'WebGPU';
  return info.threads > 1 ? `WASM, ${info.threads} threads` : 'WASM, single thread';
}

function readyLine(info) {
  return `Ready. Running on ${backendLabel(info)} with ${info.model.id}; everything stays on this device.`;
}

let remover = null;

async function boot() {
  try {
    remover = await BgRemover.create({ onProgress });
    const info = remover.info;
    const gpu = info.backends.webgpu;
    showDetails([
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
    ]);
    line.textContent = readyLine(info);
    statusEl.dataset.state = 'ready';
    input.disabled = false;
    window.bgremoveReady = info;
    // The page's own remover, for the console, tests and benchmarks (one engine per page).
    window.bgremoveApp = remover;
  } catch (err) {
    line.textContent = `The engine could not start: ${err.message}`;
    statusEl.dataset.state = 'error';
    window.bgremoveReady = { error: err.message };
  } finally {
    bar.hidden = true;
    statusEl.setAttribute('aria-busy', 'false');
  }
}

function currentOptions() {
  return {
    format: $('opt-format').value,
    background: $('opt-background').value,
    refine: $('opt-refine').value,
  };
}

function resultItem(name) {
  const li = document.createElement('li');
  li.className = 'result';
  const figure = document.createElement('figure');
  const caption = document.createElement('figcaption');
  caption.textContent = `${name}: working…`;
  figure.append(caption);
  li.append(figure);
  results.prepend(li);
  $('results-empty').hidden = true;
  return { li, figure, caption };
}

function extensionFor(format) {
  return format === 'image/webp' ? 'webp' : 'png';
}

async function processFile(file) {
  const name = file.name || 'pasted image';
  const options = currentOptions();
  const { li, figure, caption } = resultItem(name);
  line.textContent = `Working on ${name}…`;
  try {
    const r = await remover.remove(file, options);
    const url = URL.createObjectURL(r.blob);
    const img = document.createElement('img');
    img.src = url;
    img.alt = `${name} with the background removed`;
    img.width = r.width;
    img.height = r.height;
    img.className = 'checkerboard';
    const stem = name.replace(/\.[^.]+$/, '') || 'image';
    const link = document.createElement('a');
    link.href = url;
    link.download = `${stem}-${options.format === 'mask' ? 'mask' : 'cutout'}.${extensionFor(options.format)}`;
    link.className = 'download';
    link.textContent = `Download ${link.download}`;
    const t = r.timings;
    caption.textContent = `${name}: ${r.width}x${r.height}, ${seconds(t.total)} on ${r.backend} `
      + `(decode ${seconds(t.decode)}, model ${seconds(t.inference)}, edges ${seconds(t.postprocess)}, `
      + `encode ${seconds(t.encode)})`;
    figure.prepend(img);
    li.append(link);
    li.dataset.state = 'done';
    line.textContent = `${name} is done. ${readyLine(remover.info)}`;
  } catch (err) {
    li.dataset.state = 'error';
    caption.textContent = `${name}: ${err.message}`;
    line.textContent = `${name} could not be processed: ${err.message}`;
  }
}

let chain = Promise.resolve();
function processFiles(files) {
  if (!remover) return;
  for (const file of files) chain = chain.then(() => processFile(file));
}

input.addEventListener('change', () => {
  processFiles([...input.files]);
  input.value = '';
});
dropZone.addEventListener('dragover', (e) => {
  e.preventDefault();
  dropZone.dataset.over = 'true';
});
dropZone.addEventListener('dragleave', () => { dropZone.dataset.over = 'false'; });
dropZone.addEventListener('drop', (e) => {
  e.preventDefault();
  dropZone.dataset.over = 'false';
  processFiles([...e.dataTransfer.files]);
});
document.addEventListener('paste', (e) => {
  const files = [...(e.clipboardData?.files || [])];
  if (files.length) {
    e.preventDefault();
    processFiles(files);
  }
});

boot();
