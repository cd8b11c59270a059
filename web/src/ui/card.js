// One photo's card: the original at once, live progress over it, a quick-look preview when the
// plan has one, then the cut-out in the same place with a before/after split, and the actions
// (Download first, Copy and the other formats beside it). Builds its own DOM; main.js owns the job.
import { FORMATS, exportName } from './export.js';

const FORMAT_LABELS = Object.freeze({
  'image/png': 'PNG', 'image/webp': 'WebP', 'image/jpeg': 'JPEG', mask: 'Mask',
});
const TICK_MS = 1000;

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function button(text, label, onClick, className = 'button secondary') {
  const b = el('button', { type: 'button', className, textContent: text });
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

/**
 * job: {id, name, file}; on: {inspect, copy, downloadAs(format), cancel, retry, remove}.
 * Returns the card's controller; its `li` is not yet in the document.
 */
export function createCard(job, on) {
  const name = job.name;
  const li = el('li', { className: 'result' });
  li.dataset.job = String(job.id);

  const beforeUrl = URL.createObjectURL(job.file);
  const before = el('img', { className: 'before', alt: `${name}, original`, src: beforeUrl, decoding: 'async' });
  const after = el('img', { className: 'after checkerboard', hidden: true, decoding: 'async' });
  // A photo the <img> cannot show (HEIC, a broken file) still gets a card of a sensible size.
  const placeholder = el('div', { className: 'placeholder', hidden: true });
  const stage = el('div', { className: 'card-stage' }, before, placeholder, after);
  before.addEventListener('error', () => {
    before.dataset.broken = 'true';
    stage.dataset.before = 'broken';
    placeholder.hidden = !after.hidden || progress.hidden;
  });

  const badge = el('span', { className: 'badge', textContent: 'Preview', hidden: true });
  const bar = el('progress', { max: 1 });
  bar.setAttribute('aria-label', `Progress for ${name}`);
  const progressText = el('span', { className: 'progress-text' });
  const progress = el('div', { className: 'card-progress' }, progressText, bar);
  const split = el('input', { type: 'range', className: 'split', min: 0, max: 100, step: 1, value: 50, hidden: true });
  split.setAttribute('aria-label', `Before / after split for ${name}`);
  split.addEventListener('input', () => stage.style.setProperty('--split', `${split.value}%`));
  stage.append(badge, progress, split);

  const detail = el('span', { className: 'detail' });
  const caption = el('figcaption', { className: 'card-caption' }, el('span', { className: 'name', textContent: name }), ' ', detail);
  const figure = el('figure', {}, stage, caption);

  const download = el('a', { className: 'download button primary', hidden: true });
  const copy = button('Copy', `Copy to the clipboard: ${name}`, on.copy);
  const formats = el('span', { className: 'formats', hidden: true });
  const inspect = button('Inspect', `Inspect ${name}`, on.inspect);
  const cancel = button('Cancel', `Cancel ${name}`, on.cancel);
  const retry = button('Retry', `Retry ${name}`, on.retry);
  const remove = button('Remove', `Remove ${name}`, on.remove);
  const actions = el('div', { className: 'actions' }, download, copy, formats, inspect,
    el('span', { className: 'spacer' }), cancel, retry, remove);
  li.append(figure, actions);

  let ticker = null;
  let startedAt = 0;
  let previewUrl = null;
  let working = '';

  function tick() {
    const s = Math.round((performance.now() - startedAt) / 1000);
    progressText.textContent = s >= 1 ? `${working} ${s} s` : working;
  }

  function stopTicker() {
    clearInterval(ticker);
    ticker = null;
  }

  function clearPreview() {
    badge.hidden = true;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = null;
  }

  function renderFormats(current) {
    formats.replaceChildren(el('span', { className: 'formats-label', textContent: 'Also as' }),
      ...Object.keys(FORMATS).filter((f) => f !== current).map((f) => button(
        FORMAT_LABELS[f], `Download ${name} as ${FORMAT_LABELS[f]}`, () => on.downloadAs(f))));
  }

  return {
    li,
    caption,
    img: after,
    get link() { return download; },

    /** Queue state: 'queued' | 'working' | 'done' | 'error' | 'cancelled'. */
    setState(state, { waitingFor = '', error = '' } = {}) {
      const finished = state === 'done';
      cancel.hidden = !(state === 'queued' || state === 'working');
      retry.hidden = !(state === 'error' || state === 'cancelled');
      for (const b of [copy, inspect]) b.hidden = !finished;
      if (!finished) download.hidden = formats.hidden = true; // until showResult has the file
      progress.hidden = !(state === 'queued' || state === 'working');
      if (state !== 'done') {
        li.dataset.state = state;
        split.hidden = true;
        stage.dataset.compare = 'false';
      }
      if (state === 'queued') {
        stopTicker();
        clearPreview();
        after.hidden = true;
        bar.value = 0;
        progressText.textContent = waitingFor || 'Waiting for its turn…';
        detail.textContent = '';
      } else if (state === 'working') {
        working = 'Removing the background…';
        bar.removeAttribute('value'); // indeterminate: the engine reports no fraction done
        startedAt = performance.now();
        tick();
        ticker ??= setInterval(tick, TICK_MS);
        detail.textContent = '';
      } else {
        stopTicker();
        if (state !== 'done') {
          clearPreview();
          after.hidden = true;
        }
        if (state === 'error') detail.textContent = error;
        if (state === 'cancelled') detail.textContent = 'Cancelled.';
      }
      // Room for the progress when the original cannot be shown; an error needs none.
      placeholder.hidden = stage.dataset.before !== 'broken' || !after.hidden || progress.hidden;
    },

    /** The first pass's cut-out (a Blob), shown until the final one replaces it. */
    showPreview(blob) {
      if (li.dataset.state !== 'working') return;
      clearPreview();
      previewUrl = URL.createObjectURL(blob);
      after.src = previewUrl;
      after.alt = `${name}: quick preview, the edges are still being refined`;
      after.hidden = false;
      badge.hidden = false;
      placeholder.hidden = true;
      working = 'Preview shown; refining the edges…';
      tick();
    },

    /** The finished file for the current look: out {url, width, height, generation}. */
    showResult(out, format, summary) {
      clearPreview();
      after.src = out.url;
      after.alt = format === 'mask' ? `Mask of ${name}` : `${name} with the background removed`;
      after.width = out.width;
      after.height = out.height;
      after.hidden = false;
      placeholder.hidden = true;
      const canCompare = stage.dataset.before !== 'broken';
      stage.dataset.compare = String(canCompare);
      split.hidden = !canCompare;
      download.href = out.url;
      download.download = exportName(name, format);
      download.replaceChildren(`Download ${FORMAT_LABELS[format] || 'PNG'}`,
        el('span', { className: 'visually-hidden', textContent: ` of ${name} (${download.download})` }));
      download.hidden = false;
      renderFormats(format);
      formats.hidden = false;
      if (summary) detail.textContent = summary;
      li.dataset.state = 'done';
      li.dataset.look = String(out.generation); // which settings the shown file reflects
    },

    setDetail(text) {
      detail.textContent = text;
    },

    dispose() {
      stopTicker();
      clearPreview();
      URL.revokeObjectURL(beforeUrl);
      li.remove();
    },
  };
}
