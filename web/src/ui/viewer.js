// The inspector for one result: before/after, the result alone, or the mask, with zoom and pan.
import { renderExport } from './export.js';
import { initZoomPan } from './zoom-pan.js';

const $ = (id) => document.getElementById(id);

export function createViewer({ look, compare }) {
  const section = $('viewer');
  const stage = $('stage');
  const before = $('view-before');
  const after = $('view-after');
  const caption = $('viewer-caption');
  const zoom = initZoomPan(stage, {
    zoomIn: $('zoom-in'), zoomOut: $('zoom-out'), reset: $('zoom-reset'), readout: $('zoom-level'),
  });
  let current = null;
  let opener = null;
  let beforeUrl = null;
  let maskUrl = null;

  // The layers take the picture's own shape, fitted into the stage, so the checkerboard shows only
  // where the picture is transparent and both images line up with the split.
  function fit() {
    const r = current?.result;
    if (!r) return;
    const s = Math.min(stage.clientWidth / r.width, stage.clientHeight / r.height);
    stage.style.setProperty('--fit-w', `${Math.floor(r.width * s)}px`);
    stage.style.setProperty('--fit-h', `${Math.floor(r.height * s)}px`);
  }
  new ResizeObserver(fit).observe(stage);

  const view = () => section.querySelector('input[name=view]:checked').value;

  async function show() {
    if (!current?.export) return;
    const mode = view();
    stage.dataset.view = mode;
    $('compare').closest('label').hidden = mode !== 'compare';
    if (mode === 'mask') {
      if (!current.mask) {
        const out = await renderExport(current.result, { ...look(), format: 'mask', size: 'original' });
        current.mask = URL.createObjectURL(out.blob);
      }
      if (maskUrl && maskUrl !== current.mask) URL.revokeObjectURL(maskUrl);
      maskUrl = current.mask;
      after.src = current.mask;
      after.alt = `Mask of ${current.name}: white is kept, black is removed`;
    } else {
      after.src = current.export.url;
      after.alt = `${current.name} with the background removed`;
    }
    caption.textContent = mode === 'compare'
      ? `${current.name}: the original is on the left of the split, the result on the right.`
      : `${current.name}: ${mode === 'mask' ? 'the mask' : 'the result'}.`;
  }

  for (const radio of section.querySelectorAll('input[name=view]')) radio.addEventListener('change', show);
  $('viewer-close').addEventListener('click', close);
  section.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
  });

  function close() {
    section.hidden = true;
    current = null;
    opener?.focus();
  }

  return {
    zoom,
    open(job) {
      opener = document.activeElement;
      current = job;
      if (beforeUrl) URL.revokeObjectURL(beforeUrl);
      beforeUrl = URL.createObjectURL(job.file);
      before.src = beforeUrl;
      before.alt = `${job.name}, original`;
      section.hidden = false;
      fit();
      zoom.reset();
      compare.set(50);
      show();
      $('viewer-heading').focus();
      section.scrollIntoView({ block: 'start' });
    },
    refresh(job) {
      if (current === job) show();
    },
    forget(job) {
      if (current === job) close();
    },
  };
}
