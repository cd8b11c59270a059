// Keep and Erase brushes in the inspector. Pointer events serve mouse, touch and pen alike. While a
// stroke is drawn, a canvas over the picture, at the size it is shown, is painted at once (the photo
// under a Keep stroke, transparency under an Erase stroke: a hard-brush stand-in); when the stroke
// ends it goes to the stroke list in photo pixels and the worker computes the real, edge-snapped
// result (touch-up.js), which then replaces the canvas.
//
// Moving the picture while a brush is on: the Move tool, Space + drag, the wheel, two fingers.
// Keys while the inspector is open: B keep, E erase, M move, [ and ] size, Ctrl/Cmd+Z undo,
// Ctrl/Cmd+Shift+Z (or Ctrl+Y) redo.
import { saveBlob } from './export.js';

const $ = (id) => document.getElementById(id);
const SIZE_STEP = 1.25;
// Longest side of the preview canvas: enough for a zoomed-in laptop screen, cheap to paint.
const PREVIEW_MAX_SIDE = 4096;
// Points closer than this fraction of the radius add nothing to the stroke file.
const MIN_STEP = 0.2;

const round2 = (v) => Math.round(v * 100) / 100;

function typing(target) {
  return target?.closest?.('select, textarea, input:not([type=radio], [type=checkbox], [type=range], [type=button])');
}

/** touchUp: the edits controller; zoom: the inspector's zoom-pan ({zoomBy, panBy}); say: status. */
export function initBrushes({ touchUp, zoom, say }) {
  const section = $('viewer');
  const stage = $('stage');
  const after = $('view-after');
  const canvas = $('edit-preview');
  const cursor = $('brush-cursor');
  const size = $('brush-size');
  const sizeOut = $('brush-size-out');
  const snap = $('brush-snap');
  const undo = $('edit-undo');
  const redo = $('edit-redo');
  const save = $('edits-save');
  const load = $('edits-load');
  const state = $('edit-state');
  const ctx = canvas.getContext('2d');

  let job = null;
  let stroke = null;  // {mode, radius, snap, points, pointerId, last: [x, y] in canvas px, snapshot}
  let dirty = false;  // the canvas shows strokes the shown result does not have yet
  let photoCache = null; // {job, width, height, canvas}: the original at the preview's size
  let baseCache = null; // {job, src, width, height, canvas}: the shown result at the preview's size
  const touches = new Map(); // pointerId -> {x, y} for two-finger moves
  let gesture = null;

  const tool = () => section.querySelector('input[name=tool]:checked').value;
  const open = () => !section.hidden && job && job.state === 'done' && touchUp.history(job);

  function setTool(value) {
    section.querySelector(`input[name=tool][value=${value}]`).checked = true;
    applyTool();
  }

  function applyTool() {
    const t = tool();
    stage.dataset.tool = t;
    // The brushes paint the result: the before/after split would hide half of it.
    const compare = section.querySelector('input[name=view][value=compare]');
    if (t !== 'move' && compare.checked) {
      section.querySelector('input[name=view][value=result]').checked = true;
      section.querySelector('input[name=view][value=result]').dispatchEvent(new Event('change'));
    }
    if (t === 'move') cursor.hidden = true;
    else prepare();
  }

  function setSize(px) {
    size.value = String(Math.round(Math.max(Number(size.min), Math.min(Number(size.max), px))));
    showSize();
  }

  function showSize() {
    sizeOut.textContent = `${size.value} px`;
    cursor.style.setProperty('--brush', `${size.value}px`);
  }

  function update() {
    const history = job ? touchUp.history(job) : null;
    undo.disabled = !history?.canUndo;
    redo.disabled = !history?.canRedo;
    save.disabled = !history?.cursor;
    load.disabled = !history;
    const n = history?.cursor ?? 0;
    const busy = job && touchUp.pending(job);
    state.textContent = !history ? '' : `${n} stroke${n === 1 ? '' : 's'}${busy ? '; applying…' : ''}`;
    stage.dataset.applying = String(Boolean(busy));
  }

  // ---- the preview canvas ----

  function clearPreview() {
    dirty = false;
    stage.dataset.preview = 'false';
    ctx.clearRect(0, 0, canvas.width, canvas.height);
  }

  function photoAt(w, h) {
    if (photoCache?.job !== job || photoCache.width !== w || photoCache.height !== h) {
      const c = new OffscreenCanvas(w, h);
      const g = c.getContext('2d');
      g.imageSmoothingQuality = 'high';
      g.drawImage(job.result.original, 0, 0, w, h);
      photoCache = { job, width: w, height: h, canvas: c };
    }
    return photoCache.canvas;
  }

  // The preview's size: the picture as shown now, in device pixels, at most the photo's own.
  function previewSize() {
    const r = job.result;
    const box = canvas.getBoundingClientRect();
    const scale = Math.min(1, (box.width * devicePixelRatio) / r.width, PREVIEW_MAX_SIDE / Math.max(r.width, r.height));
    return [Math.max(1, Math.round(r.width * scale)), Math.max(1, Math.round(r.height * scale))];
  }

  function baseAt(w, h) {
    const src = after.currentSrc;
    if (baseCache?.job !== job || baseCache.src !== src || baseCache.width !== w || baseCache.height !== h) {
      const c = new OffscreenCanvas(w, h);
      c.getContext('2d').drawImage(after, 0, 0, w, h);
      baseCache = { job, src, width: w, height: h, canvas: c, exact: true };
    }
    return baseCache.canvas;
  }

  // Scaling a 12 MP result and photo down takes a few hundred ms on the main thread; the browser
  // decodes and scales them off it (createImageBitmap with a size) while the person is not drawing
  // (a brush picked, a result shown, a zoom), so a stroke's first frame only copies them.
  let prepareTimer = null;
  function prepare() {
    clearTimeout(prepareTimer);
    prepareTimer = setTimeout(async () => {
      if (!open() || tool() === 'move' || !after.complete || !after.naturalWidth) return;
      const target = job;
      const [w, h] = previewSize();
      const src = after.currentSrc;
      const fit = { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' };
      try {
        if (!(baseCache?.job === target && baseCache.src === src && baseCache.width === w
          && baseCache.height === h && baseCache.exact)) {
          const bitmap = await createImageBitmap(await (await fetch(src)).blob(), fit);
          if (job === target && after.currentSrc === src) baseCache = { job, src, width: w, height: h, canvas: bitmap, exact: true };
        }
        if (!(photoCache?.job === target && photoCache.width === w && photoCache.height === h)) {
          const bitmap = await createImageBitmap(target.result.original, fit);
          if (job === target) photoCache = { job, width: w, height: h, canvas: bitmap };
        }
      } catch {
        // A stroke then scales them itself (baseAt, photoAt).
      }
    }, 50);
  }

  // Sizes the canvas to the picture as shown now and paints the shown result into it.
  function startPreview() {
    const [w, h] = previewSize();
    canvas.width = w;
    canvas.height = h;
    ctx.globalCompositeOperation = 'source-over';
    ctx.drawImage(baseAt(w, h), 0, 0);
    dirty = true;
    stage.dataset.preview = 'true';
  }

  function paintStyle(mode) {
    const mask = stage.dataset.view === 'mask';
    ctx.globalCompositeOperation = mode === 'erase' && !mask ? 'destination-out' : 'source-over';
    if (mask) return mode === 'keep' ? '#fff' : '#000';
    if (mode === 'erase') return '#000';
    return ctx.createPattern(photoAt(canvas.width, canvas.height), 'no-repeat');
  }

  function paintSegment(from, to) {
    const style = stroke.style;
    ctx.strokeStyle = style;
    ctx.fillStyle = style;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 2 * stroke.radius * (canvas.width / job.result.width);
    ctx.beginPath();
    if (from[0] === to[0] && from[1] === to[1]) {
      ctx.arc(to[0], to[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
    } else {
      ctx.moveTo(from[0], from[1]);
      ctx.lineTo(to[0], to[1]);
      ctx.stroke();
    }
  }

  // ---- strokes ----

  // A pointer's position in photo pixels and in canvas pixels (the canvas covers the picture, and
  // its box includes the zoom and pan).
  function where(e) {
    const box = canvas.getBoundingClientRect();
    const fx = (e.clientX - box.left) / box.width;
    const fy = (e.clientY - box.top) / box.height;
    return {
      photo: [round2(fx * job.result.width), round2(fy * job.result.height)],
      canvas: [fx * canvas.width, fy * canvas.height],
    };
  }

  function begin(e) {
    if (!dirty) startPreview();
    const box = canvas.getBoundingClientRect();
    const snapshot = new OffscreenCanvas(canvas.width, canvas.height);
    snapshot.getContext('2d').drawImage(canvas, 0, 0);
    const mode = tool();
    // The size is what the cursor shows on screen, whatever the zoom: in photo pixels, its radius.
    const radius = round2((Number(size.value) / 2) * (job.result.width / box.width));
    stroke = { mode, radius, snap: snap.checked, points: [], pointerId: e.pointerId, last: null, snapshot, job };
    stroke.style = paintStyle(mode);
    add(e);
  }

  function add(e) {
    const p = where(e);
    const prev = stroke.points.at(-1);
    if (!prev || Math.hypot(p.photo[0] - prev[0], p.photo[1] - prev[1]) >= Math.max(0.5, MIN_STEP * stroke.radius)) {
      stroke.points.push(p.photo);
    }
    paintSegment(stroke.last ?? p.canvas, p.canvas);
    stroke.last = p.canvas;
  }

  function cancelStroke() {
    if (!stroke) return;
    ctx.globalCompositeOperation = 'copy';
    ctx.drawImage(stroke.snapshot, 0, 0);
    ctx.globalCompositeOperation = 'source-over';
    stroke = null;
    if (!touchUp.pending(job)) clearPreview();
  }

  function finish(e) {
    if (!stroke) return;
    add(e);
    const { mode, radius, points } = stroke;
    const target = stroke.job;
    stroke = null;
    const done = touchUp.addStroke(target, { mode, radius, snap: snap.checked, points });
    update();
    done.finally(() => { if (job === target) update(); });
  }

  function showCursor(e) {
    if (tool() === 'move' || (e.pointerType === 'touch' && !stroke)) {
      cursor.hidden = true;
      return;
    }
    const box = stage.getBoundingClientRect();
    cursor.style.setProperty('--x', `${e.clientX - box.left}px`);
    cursor.style.setProperty('--y', `${e.clientY - box.top}px`);
    cursor.hidden = false;
  }

  // Two fingers move and zoom the picture; the stroke the first finger began is dropped.
  function startGesture() {
    cancelStroke();
    const [a, b] = [...touches.values()];
    gesture = { mid: [(a.x + b.x) / 2, (a.y + b.y) / 2], dist: Math.hypot(a.x - b.x, a.y - b.y) || 1 };
  }

  function moveGesture() {
    const [a, b] = [...touches.values()];
    const mid = [(a.x + b.x) / 2, (a.y + b.y) / 2];
    const dist = Math.hypot(a.x - b.x, a.y - b.y) || 1;
    zoom.panBy(mid[0] - gesture.mid[0], mid[1] - gesture.mid[1]);
    zoom.zoomBy(dist / gesture.dist);
    gesture = { mid, dist };
  }

  canvas.addEventListener('pointerdown', (e) => {
    if (!open() || tool() === 'move' || stage.dataset.panning === 'true') return;
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation(); // not a drag of the picture
    canvas.setPointerCapture(e.pointerId);
    if (e.pointerType === 'touch') {
      touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (touches.size === 2) {
        startGesture();
        return;
      }
      if (touches.size > 2) return;
    }
    if (!stroke) begin(e);
    showCursor(e);
  });
  canvas.addEventListener('pointermove', (e) => {
    showCursor(e);
    if (touches.has(e.pointerId)) {
      touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (gesture && touches.size === 2) moveGesture();
    }
    if (!stroke || e.pointerId !== stroke.pointerId) return;
    // Every sample since the last frame, so a fast stroke keeps its shape.
    for (const c of e.getCoalescedEvents?.() ?? [e]) add(c);
  });
  const up = (e) => {
    touches.delete(e.pointerId);
    if (touches.size < 2) gesture = null;
    if (!stroke || e.pointerId !== stroke.pointerId) return;
    if (e.type === 'pointercancel') cancelStroke();
    else finish(e);
  };
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);
  canvas.addEventListener('pointerleave', (e) => { if (e.pointerType !== 'touch' && !stroke) cursor.hidden = true; });

  // The worker's result is on screen: the stand-in strokes can go.
  after.addEventListener('load', () => {
    if (dirty && !stroke && job && !touchUp.pending(job)) {
      // Until prepare() has the new result scaled, a stroke starts from what the preview showed.
      const copy = new OffscreenCanvas(canvas.width, canvas.height);
      copy.getContext('2d').drawImage(canvas, 0, 0);
      baseCache = { job, src: after.currentSrc, width: canvas.width, height: canvas.height, canvas: copy, exact: false };
      clearPreview();
    }
    prepare();
  });

  // ---- controls ----

  for (const radio of section.querySelectorAll('input[name=tool]')) radio.addEventListener('change', applyTool);
  // A zoom changes the preview's size: prepare it again for the next stroke.
  stage.addEventListener('wheel', prepare, { passive: true });
  stage.addEventListener('keydown', prepare);
  for (const id of ['zoom-in', 'zoom-out', 'zoom-reset']) $(id).addEventListener('click', prepare);
  size.addEventListener('input', showSize);
  undo.addEventListener('click', () => doUndo());
  redo.addEventListener('click', () => doRedo());

  function doUndo() {
    if (!open() || stroke) return;
    touchUp.undo(job)?.finally(update);
    update();
  }

  function doRedo() {
    if (!open() || stroke) return;
    touchUp.redo(job)?.finally(update);
    update();
  }

  save.addEventListener('click', () => {
    if (!open()) return;
    // photo.jpg -> photo.jpg.json: the name `bgremove --edits FOLDER` looks for beside a batch.
    saveBlob(touchUp.exportFile(job), `${job.name}.json`);
  });
  load.addEventListener('change', async () => {
    const file = load.files[0];
    load.value = '';
    if (!file || !open()) return;
    const target = job;
    try {
      const done = touchUp.importFile(target, file);
      update();
      await done;
      say(`Loaded ${touchUp.history(target).cursor} strokes from ${file.name}.`);
    } catch (err) {
      say(`Could not load the edits: ${err.message}`);
    } finally {
      update();
    }
  });

  // Space + drag moves the picture while a brush is on (the stage's own drag takes over).
  document.addEventListener('keydown', (e) => {
    if (section.hidden || typing(e.target)) return;
    const mod = e.ctrlKey || e.metaKey;
    if (e.key === ' ' && !e.repeat && tool() !== 'move' && !e.target.closest('button, input, summary, a, label')) {
      stage.dataset.panning = 'true';
      e.preventDefault();
      return;
    }
    if (mod && !e.altKey && e.key.toLowerCase() === 'z') {
      if (e.shiftKey) doRedo();
      else doUndo();
    } else if (mod && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'y') {
      doRedo();
    } else if (mod || e.altKey) {
      return;
    } else if (e.key === 'b' || e.key === 'B') {
      setTool('keep');
    } else if (e.key === 'e' || e.key === 'E') {
      setTool('erase');
    } else if (e.key === 'm' || e.key === 'M') {
      setTool('move');
    } else if (e.key === '[') {
      setSize(Number(size.value) / SIZE_STEP);
    } else if (e.key === ']') {
      setSize(Number(size.value) * SIZE_STEP);
    } else {
      return;
    }
    e.preventDefault();
  });
  document.addEventListener('keyup', (e) => {
    if (e.key === ' ') stage.dataset.panning = 'false';
  });
  // A Space released in another window never sends its keyup here.
  window.addEventListener('blur', () => { stage.dataset.panning = 'false'; });

  showSize();
  applyTool();
  update();

  return {
    /** The inspector now shows this job. */
    open(next) {
      if (stroke) cancelStroke();
      job = next;
      clearPreview();
      update();
      prepare();
    },
    /** The job's history or pending state changed. */
    changed(changedJob) {
      if (changedJob === job) update();
    },
  };
}
