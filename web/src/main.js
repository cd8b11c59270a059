// Page entry: one remover for the page, a queue of photos, the settings, the results and the viewer.
// Each concern lives in ui/*; this file wires them together.
import { BgRemover } from './api/bg-remover.js';
import { initOffline } from './offline/index.js';
import { initCompare } from './ui/compare-slider.js';
import { initControls } from './ui/controls.js';
import { buildZip, copyPng, exportName, renderExport, saveBlob } from './ui/export.js';
import { filesFromDrop } from './ui/files.js';
import { Queue } from './ui/queue.js';
import { onProgress, readyLine, say, setBusy, showEngine } from './ui/status.js';
import { initTheme } from './ui/theme.js';
import { createViewer } from './ui/viewer.js';

window.BgRemover = BgRemover;

const $ = (id) => document.getElementById(id);
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const inputs = [$('file-input'), $('folder-input')];

let engine = null;      // Promise of the current remover
let remover = null;
let lookGeneration = 0;
const cards = new Map(); // job id -> card elements

initTheme($('theme-toggle'));

const controls = initControls({
  onLookChange: () => refreshExports(),
  onPipelineChange: () => updateBatchBar(),
  onModelChange: (id) => switchModel(id),
});

const viewer = createViewer({
  look: () => controls.look(),
  compare: initCompare($('stage'), $('compare')),
});

async function startEngine(model) {
  setBusy(true);
  inputs.forEach((i) => { i.disabled = true; });
  try {
    remover = await BgRemover.create({ model: model || undefined, onProgress });
    const info = remover.info;
    showEngine(info);
    say(readyLine(info));
    setBusy(false, 'ready');
    controls.setModel(info.model.id);
    inputs.forEach((i) => { i.disabled = false; });
    window.bgremoveReady = info;
    // The page's own remover, for the console, tests and benchmarks (one engine per page).
    window.bgremoveApp = remover;
    return remover;
  } catch (err) {
    say(`The engine could not start: ${err.message}`);
    setBusy(false, 'error');
    window.bgremoveReady = { error: err.message };
    throw err;
  }
}

async function boot() {
  let model = '';
  try {
    const res = await fetch('/models/manifest.json', { cache: 'no-cache' });
    const manifest = await res.json();
    model = controls.setModels(manifest.models, manifest.default);
  } catch {
    // The engine reports a missing manifest itself, in words.
  }
  engine = startEngine(model === '' ? undefined : model);
  engine.catch(() => {});
}

function switchModel(id) {
  // Photos still waiting run on the new model; the one running now is cancelled (Retry runs it again).
  const previous = engine;
  engine = (async () => {
    (await previous?.catch(() => null))?.dispose();
    return startEngine(id);
  })();
  engine.catch(() => {});
  if (queue.active) queue.cancel(queue.active);
}

// ---- the queue ----

async function runJob(job, signal) {
  const r = await (await engine).remove(job.file, { ...controls.pipelineOptions(), format: 'image/png', signal });
  job.original ??= await createImageBitmap(job.file, { imageOrientation: 'from-image' });
  const cutout = await createImageBitmap(r.blob);
  job.result?.cutout.close();
  job.export = null;
  job.mask = null;
  return { ...r, cutout, original: job.original };
}

const queue = new Queue({ run: runJob, onChange: (job) => onJobChange(job) });

function makeCard(job) {
  const li = document.createElement('li');
  li.className = 'result';
  const figure = document.createElement('figure');
  const img = document.createElement('img');
  img.className = 'checkerboard';
  img.hidden = true;
  const caption = document.createElement('figcaption');
  figure.append(img, caption);
  const progress = document.createElement('progress');
  progress.max = 1;
  progress.setAttribute('aria-label', `Progress for ${job.name}`);
  const actions = document.createElement('div');
  actions.className = 'actions';
  const button = (text, label, onClick) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'button secondary';
    b.textContent = text;
    b.setAttribute('aria-label', `${label} ${job.name}`);
    b.addEventListener('click', onClick);
    actions.append(b);
    return b;
  };
  const card = {
    li, img, caption, progress,
    inspect: button('Inspect', 'Inspect', () => viewer.open(job)),
    copy: button('Copy', 'Copy to the clipboard:', () => copyJob(job)),
    cancel: button('Cancel', 'Cancel', () => queue.cancel(job)),
    retry: button('Retry', 'Retry', () => queue.retry(job)),
    remove: button('Remove', 'Remove', () => removeJob(job)),
    link: null,
  };
  li.append(figure, progress, actions);
  $('results').append(li);
  $('results-empty').hidden = true;
  cards.set(job.id, card);
  return card;
}

function onJobChange(job) {
  if (!queue.jobs.includes(job)) return; // removed while it was still running
  const card = cards.get(job.id) || makeCard(job);
  const { li, caption, progress } = card;
  card.cancel.hidden = !(job.state === 'queued' || job.state === 'working');
  card.retry.hidden = !(job.state === 'error' || job.state === 'cancelled');
  card.inspect.hidden = card.copy.hidden = job.state !== 'done';
  if (card.link) card.link.hidden = job.state !== 'done';
  if (job.state !== 'done') li.dataset.state = job.state;
  if (job.state === 'queued') {
    progress.value = 0;
    caption.textContent = `${job.name}: waiting`;
  } else if (job.state === 'working') {
    progress.removeAttribute('value'); // indeterminate: the model gives no partial progress
    caption.textContent = `${job.name}: working…`;
    say(`Working on ${job.name}…`);
  } else if (job.state === 'done') {
    progress.value = 1;
    const r = job.result;
    const t = r.timings;
    caption.textContent = `${job.name}: ${r.width}x${r.height}, ${seconds(t.total)} on ${r.backend} `
      + `(decode ${seconds(t.decode)}, model ${seconds(t.inference)}, edges ${seconds(t.postprocess)}, `
      + `encode ${seconds(t.encode)})`;
    if (r.warnings?.length) caption.textContent += ` Note: ${r.warnings.join(' ')}`;
    showExport(job).then(() => say(`${job.name} is done. ${readyLine(remover.info)}`));
  } else if (job.state === 'error') {
    progress.value = 0;
    caption.textContent = `${job.name}: ${job.error}`;
    say(`${job.name} could not be processed: ${job.error}`);
  } else if (job.state === 'cancelled') {
    progress.value = 0;
    caption.textContent = `${job.name}: cancelled`;
  }
  updateBatchBar();
}

async function exportFor(job) {
  // Loops when the look changes again while rendering, so a stale file is never kept.
  while (job.export?.generation !== lookGeneration) {
    const generation = lookGeneration;
    const out = await renderExport(job.result, controls.look());
    if (generation !== lookGeneration) continue;
    const stale = job.export?.url;
    // Late, so a download or <img> that still uses the old URL can finish.
    if (stale) setTimeout(() => URL.revokeObjectURL(stale), 30_000);
    job.export = { ...out, generation, url: URL.createObjectURL(out.blob) };
  }
  return job.export;
}

async function showExport(job) {
  const card = cards.get(job.id);
  if (!card || job.state !== 'done') return;
  let out;
  try {
    out = await exportFor(job);
  } catch (err) {
    card.caption.textContent = `${job.name}: could not make the file: ${err.message}`;
    return;
  }
  if (out.generation !== lookGeneration) return; // a newer look is being rendered
  const format = controls.settings.format;
  card.img.src = out.url;
  card.img.alt = format === 'mask' ? `Mask of ${job.name}` : `${job.name} with the background removed`;
  card.img.width = out.width;
  card.img.height = out.height;
  card.img.hidden = false;
  await card.img.decode().catch(() => {});
  if (!card.link) {
    card.link = document.createElement('a');
    card.link.className = 'download';
    card.li.append(card.link);
  }
  card.link.href = out.url;
  card.link.download = exportName(job.name, format);
  card.link.textContent = `Download ${card.link.download}`;
  card.link.hidden = false;
  card.li.dataset.state = 'done';
  card.li.dataset.look = String(out.generation); // which settings the shown file reflects
  viewer.refresh(job);
}

async function refreshExports() {
  lookGeneration += 1;
  document.body.dataset.look = String(lookGeneration);
  for (const job of queue.jobs) if (job.state === 'done') await showExport(job);
}

async function copyJob(job) {
  try {
    await copyPng(job.result, controls.look());
    say(`${job.name} was copied to the clipboard as a PNG.`);
  } catch (err) {
    say(`Could not copy ${job.name}: ${err.message}`);
  }
}

function removeJob(job) {
  queue.remove(job);
  const card = cards.get(job.id);
  card?.li.remove();
  cards.delete(job.id);
  if (job.export?.url) URL.revokeObjectURL(job.export.url);
  viewer.forget(job);
  $('results-empty').hidden = queue.jobs.length > 0;
  updateBatchBar();
}

function updateBatchBar() {
  const c = queue.counts();
  const finished = c.done + c.error + c.cancelled;
  const bar = $('overall-progress');
  bar.max = Math.max(1, c.total);
  bar.value = finished;
  const parts = [`${c.done} of ${c.total} done`];
  if (c.error) parts.push(`${c.error} failed`);
  if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
  if (c.queued + c.working) parts.push(`${c.queued + c.working} to go`);
  $('overall-text').textContent = c.total ? parts.join(', ') : 'No photos yet.';
  $('download-zip').disabled = c.done === 0;
  $('cancel-all').disabled = c.queued + c.working === 0;
  $('clear-results').disabled = c.total === 0;
  $('rerun').disabled = finished === 0;
}

function addFiles(files) {
  const images = files.filter((f) => !f.type || f.type.startsWith('image/'));
  const skipped = files.length - images.length;
  for (const file of images) queue.add(file);
  if (skipped) say(`Skipped ${skipped} file${skipped > 1 ? 's' : ''} that ${skipped > 1 ? 'are' : 'is'} not an image.`);
}

// ---- wiring ----

for (const input of inputs) {
  input.addEventListener('change', () => {
    addFiles([...input.files]);
    input.value = '';
  });
}
const dropZone = $('drop-zone');
dropZone.addEventListener('dragover', (e) => {
  e.preventDefault();
  dropZone.dataset.over = 'true';
});
dropZone.addEventListener('dragleave', () => { dropZone.dataset.over = 'false'; });
dropZone.addEventListener('drop', async (e) => {
  e.preventDefault();
  dropZone.dataset.over = 'false';
  if (!remover) {
    say('The engine is still starting; drop the photos again in a moment.');
    return;
  }
  addFiles(await filesFromDrop(e.dataTransfer));
});
document.addEventListener('paste', (e) => {
  const files = [...(e.clipboardData?.files || [])];
  if (files.length && remover) {
    e.preventDefault();
    addFiles(files);
  }
});

$('cancel-all').addEventListener('click', () => queue.cancelAll());
$('rerun').addEventListener('click', () => {
  for (const job of queue.jobs) queue.retry(job);
});
$('clear-results').addEventListener('click', () => {
  for (const job of [...queue.jobs]) removeJob(job);
});
$('download-zip').addEventListener('click', async () => {
  const button = $('download-zip');
  button.disabled = true;
  try {
    const done = queue.jobs.filter((j) => j.state === 'done');
    say(`Making a ZIP of ${done.length} file${done.length > 1 ? 's' : ''}…`);
    const entries = [];
    for (const job of done) entries.push({ name: exportName(job.name, controls.settings.format), blob: (await exportFor(job)).blob });
    saveBlob(await buildZip(entries), 'cutouts.zip');
    say(`The ZIP with ${entries.length} file${entries.length > 1 ? 's' : ''} is downloading.`);
  } catch (err) {
    say(`Could not make the ZIP: ${err.message}`);
  } finally {
    updateBatchBar();
  }
});

// Offline support starts after the engine, so precaching reuses what it just downloaded.
boot().then(() => engine).catch(() => {}).finally(() => initOffline());
