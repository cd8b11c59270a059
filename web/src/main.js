// Page entry: one remover for the page, a queue of photos, a card per photo, the settings and the
// inspector. Each concern lives in ui/*; this file wires them together.
import { BgRemover } from './api/bg-remover.js';
import { initOffline } from './offline/index.js';
import { Stage } from './shared/protocol.js';
import { createCard } from './ui/card.js';
import { initCompare } from './ui/compare-slider.js';
import { initControls } from './ui/controls.js';
import { memoryProblem, PhotoTimes } from './ui/model-choice.js';
import { rememberOpen } from './ui/disclosure.js';
import { renderBatchBar } from './ui/batch-bar.js';
import { ExportCache } from './ui/export-cache.js';
import { buildZip, copyPng, exportName, renderExport, saveBlob } from './ui/export.js';
import { filesFromDrop } from './ui/files.js';
import { Queue } from './ui/queue.js';
import { initSamples } from './ui/samples.js';
import { takeSharedFiles } from './ui/shared-inbox.js';
import { onProgress, readyLine, say, setBusy, setOffline, showEngine } from './ui/status.js';
import { initTheme } from './ui/theme.js';
import { createViewer } from './ui/viewer.js';
import { initBrushes } from './ui/brushes.js';
import { createTouchUp } from './ui/touch-up.js';

window.BgRemover = BgRemover;

const $ = (id) => document.getElementById(id);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

// Promise of the current remover; photos chosen before boot() starts the engine wait on it too.
let startFirst = null;
let engine = new Promise((resolve) => { startFirst = resolve; });
let remover = null;
const exportCache = new ExportCache();
const cards = new Map(); // job id -> card controller
let manifest = null; // models/manifest.json, once boot() has read it
const photoTimes = new PhotoTimes();
const estimateMs = (tier) => photoTimes.estimateMs(manifest, tier);

initTheme($('theme-toggle'));
rememberOpen($('fine-tune'), 'bgremove.fineTune');

const controls = initControls({
  onLookChange: () => refreshExports(),
  onPipelineChange: () => updateBatchBar(),
  onModelChange: (id) => switchModel(id),
});

const viewer = createViewer({
  look: () => controls.look(),
  compare: initCompare($('stage'), $('compare')),
});

// Keep/Erase brushes in the inspector; each photo's strokes live on its job (job.edits).
const touchUp = createTouchUp({
  remover: () => engine,
  onResult: (job) => showExport(job),
  onChange: (job) => brushes.changed(job),
  say,
});
const brushes = initBrushes({ touchUp, zoom: viewer.zoom, say });

// The model choice's own line: why Best quality is not available here, or nothing.
function modelNote(text) {
  $('model-note').textContent = text;
  $('model-note').hidden = !text;
}

async function startEngine(model) {
  setBusy(true);
  try {
    remover = await BgRemover.create({ model: model || undefined, onProgress });
    const info = remover.info;
    showEngine(info);
    setBusy(false, 'ready');
    say(readyLine());
    controls.setModel(info.model.id, manifest);
    controls.setPlan(info.plan);
    photoTimes.fromEngine(info);
    if (manifest) controls.relabelTiers(manifest, estimateMs);
    window.bgremoveReady = info;
    // The page's own remover, for the console, tests and benchmarks (one engine per page).
    window.bgremoveApp = remover;
    return remover;
  } catch (err) {
    const fallback = fastChoice();
    if (model && fallback && model !== fallback && model !== manifest?.default) {
      // The chosen model cannot start here (memory, a failed download): the page goes on with Fast.
      modelNote(`${err.message} Using the Fast model.`);
      controls.chooseModel(fallback);
      return startEngine(fallback);
    }
    say(`The engine could not start: ${err.message}`);
    setBusy(false, 'error');
    window.bgremoveReady = { error: err.message };
    throw err;
  }
}

// The tier holding the manifest's default model (what the page falls back to), or its id.
function fastChoice() {
  if (!manifest) return null;
  const arch = manifest.models.find((m) => m.id === manifest.default)?.architecture;
  return Object.keys(manifest.tiers || {}).find((t) => manifest.tiers[t].architecture === arch) ?? manifest.default;
}

async function boot() {
  let model = '';
  try {
    const res = await fetch('/models/manifest.json', { cache: 'no-cache' });
    manifest = await res.json();
    model = controls.setModels(manifest, estimateMs);
    const problem = memoryProblem(manifest, model);
    if (problem) {
      // A choice remembered from a bigger device, or a budget forced by ?memory-budget-mb=.
      modelNote(problem);
      model = fastChoice();
      controls.chooseModel(model);
    }
  } catch {
    // The engine reports a missing manifest itself, in words.
  }
  const first = startEngine(model === '' ? undefined : model);
  first.catch(() => {});
  startFirst(first);
  engine = first;
  receiveShared();
}

function receiveShared() {
  takeSharedFiles().then((files) => { if (files.length) addFiles(files); }, () => {});
}
// A share while the app is already open in this tab may only change the address's #fragment.
window.addEventListener('hashchange', receiveShared);

function switchModel(id) {
  const problem = manifest && memoryProblem(manifest, id);
  if (problem) {
    // The current engine stays: the person keeps working with the model that fits.
    modelNote(problem);
    controls.chooseModel(fastChoice());
    return;
  }
  modelNote('');
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
  // Photos chosen while the engine still starts wait here, their cards already on screen.
  const options = controls.pipelineOptions();
  let r = await (await engine).remove(job.file, {
    ...options,
    format: 'image/png',
    editable: true, // the brushes replay strokes on it without running the model again
    signal,
    // The first pass of a multi-pass plan: a quick look on the card until the final cut-out.
    onProgress: (p) => { if (p.stage === Stage.PREVIEW && p.blob) cards.get(job.id)?.showPreview(p.blob); },
  });
  photoTimes.fromResult(r, manifest?.models.find((m) => m.id === r.model)?.architecture);
  if (manifest) controls.relabelTiers(manifest, estimateMs);
  // r.original: a HEIC photo, decoded by the engine, that this browser cannot draw itself.
  job.original ??= r.original ?? await createImageBitmap(job.file, { imageOrientation: 'from-image' });
  r = await touchUp.afterRun(job, r, options, signal); // strokes kept from before are applied again
  const cutout = await createImageBitmap(r.blob);
  job.result?.cutout.close();
  job.export = null;
  job.mask = null;
  return { ...r, cutout, original: job.original };
}

const queue = new Queue({ run: runJob, onChange: (job) => onJobChange(job) });

function makeCard(job) {
  const card = createCard(job, {
    inspect: () => {
      viewer.open(job);
      brushes.open(job);
    },
    copy: () => copyJob(job),
    downloadAs: (format) => downloadAs(job, format),
    cancel: () => queue.cancel(job),
    retry: () => queue.retry(job),
    remove: () => removeJob(job),
  });
  $('results').append(card.li);
  cards.set(job.id, card);
  return card;
}

function summary(r) {
  const t = r.timings;
  let text = `${r.width}×${r.height}, ${seconds(t.total)}`;
  if (r.warnings?.length) text += `. Note: ${r.warnings.join(' ')}`;
  return text;
}

function onJobChange(job) {
  if (!queue.jobs.includes(job)) return; // removed while it was still running
  const card = cards.get(job.id) || makeCard(job);
  if (job.state === 'queued') {
    card.setState('queued', { waitingFor: remover ? '' : 'Waiting for the engine to start…' });
  } else if (job.state === 'working') {
    card.setState('working');
    say(`Working on ${job.name}…`);
  } else if (job.state === 'done') {
    card.setState('done');
    showExport(job).then(() => say(`${job.name} is done. ${readyLine()}`));
  } else if (job.state === 'error') {
    card.setState('error', { error: job.error });
    say(`${job.name} could not be processed: ${job.error}`);
  } else if (job.state === 'cancelled') {
    card.setState('cancelled');
  }
  updateBatchBar();
}

const exportFor = (job) => exportCache.get(job, () => controls.look());

async function showExport(job) {
  const card = cards.get(job.id);
  if (!card || job.state !== 'done') return;
  let out;
  try {
    out = await exportFor(job);
  } catch (err) {
    card.setDetail(`Could not make the file: ${err.message}`);
    return;
  }
  if (out.generation !== exportCache.generation) return; // a newer look is being rendered
  card.showResult(out, controls.settings.format, summary(job.result));
  await card.img.decode().catch(() => {});
  viewer.refresh(job);
}

async function refreshExports() {
  document.body.dataset.look = String(exportCache.invalidate());
  for (const job of queue.jobs) if (job.state === 'done') await showExport(job);
}

async function downloadAs(job, format) {
  try {
    const out = await renderExport(job.result, { ...controls.look(), format });
    saveBlob(out.blob, exportName(job.name, format));
  } catch (err) {
    say(`Could not make the file for ${job.name}: ${err.message}`);
  }
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
  cards.get(job.id)?.dispose();
  cards.delete(job.id);
  exportCache.forget(job);
  viewer.forget(job);
  updateBatchBar();
}

function updateBatchBar() {
  renderBatchBar(queue.counts());
}

function addFiles(files) {
  const images = files.filter((f) => !f.type || f.type.startsWith('image/'));
  const skipped = files.length - images.length;
  const added = images.map((file) => queue.add(file));
  if (skipped) say(`Skipped ${skipped} file${skipped > 1 ? 's' : ''} that ${skipped > 1 ? 'are' : 'is'} not an image.`);
  // New cards come into view at once (after a paste while scrolled down, say).
  const first = added.length ? cards.get(added[0].id)?.li : null;
  if (first) {
    const box = first.getBoundingClientRect();
    if (box.top >= innerHeight || box.bottom <= 0) first.scrollIntoView({ block: 'nearest' });
  }
}

// ---- wiring ----

for (const input of [$('file-input'), $('folder-input')]) {
  input.addEventListener('change', () => {
    addFiles([...input.files]);
    input.value = '';
  });
}
const dropZone = $('drop-zone');
// The whole box opens the file chooser, not only its button.
dropZone.addEventListener('click', (e) => {
  if (!e.target.closest('label, input, button, a')) $('file-input').click();
});
dropZone.addEventListener('dragover', (e) => {
  e.preventDefault();
  dropZone.dataset.over = 'true';
});
dropZone.addEventListener('dragleave', () => { dropZone.dataset.over = 'false'; });
dropZone.addEventListener('drop', async (e) => {
  e.preventDefault();
  dropZone.dataset.over = 'false';
  addFiles(await filesFromDrop(e.dataTransfer));
});
// A drop anywhere on the page counts, so a near miss does not open the photo in the tab instead.
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', async (e) => {
  // A file input elsewhere (the background image) takes its own drop.
  if (e.defaultPrevented || e.target.closest?.('input[type=file]')) return;
  e.preventDefault();
  addFiles(await filesFromDrop(e.dataTransfer));
});
document.addEventListener('paste', (e) => {
  const files = [...(e.clipboardData?.files || [])];
  if (files.length) {
    e.preventDefault();
    addFiles(files);
  }
});
initSamples(document.querySelector('.samples'), addFiles, say);

$('cancel-all').addEventListener('click', () => queue.cancelAll());
$('rerun').addEventListener('click', () => {
  touchUp.beforeRerun(queue.jobs);
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

// Offline support starts after the engine, so precaching reuses what it just downloaded, and once
// no photo has been in flight for two seconds: precaching decodes, hashes and stores ~47 MB, which
// on two cores made the first photo's model run 2.3 times slower (docs/BENCHMARKS.md).
boot().then(() => engine).then((remover) => remover?.whenQuiet()).catch(() => {})
  .finally(() => initOffline($('offline-slot'), {
    noticeSlot: $('update-slot'),
    onOfflineChange: setOffline,
  }));
