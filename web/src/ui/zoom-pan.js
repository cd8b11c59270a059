// Zoom and pan to check hair and edges: buttons, the wheel, dragging, and the keyboard on the
// focused stage (+/- zoom, arrows pan, 0 resets). The transform is set through CSS custom properties.

const MIN = 1;
const MAX = 16;
const STEP = 1.5;
const PAN_STEP = 40;

export function initZoomPan(stage, { zoomIn, zoomOut, reset, readout }) {
  let zoom = 1;
  let x = 0;
  let y = 0;

  function apply() {
    // Keep at least part of the picture in view.
    const limitX = (stage.clientWidth * (zoom - 1)) / 2;
    const limitY = (stage.clientHeight * (zoom - 1)) / 2;
    x = Math.max(-limitX, Math.min(limitX, x));
    y = Math.max(-limitY, Math.min(limitY, y));
    stage.style.setProperty('--zoom', String(zoom));
    stage.style.setProperty('--pan-x', `${x}px`);
    stage.style.setProperty('--pan-y', `${y}px`);
    readout.textContent = `${Math.round(zoom * 100)}%`;
    zoomOut.disabled = zoom <= MIN;
    zoomIn.disabled = zoom >= MAX;
  }

  function zoomBy(factor) {
    const next = Math.max(MIN, Math.min(MAX, zoom * factor));
    x *= next / zoom;
    y *= next / zoom;
    zoom = next;
    apply();
  }

  function resetView() {
    zoom = 1;
    x = 0;
    y = 0;
    apply();
  }

  zoomIn.addEventListener('click', () => zoomBy(STEP));
  zoomOut.addEventListener('click', () => zoomBy(1 / STEP));
  reset.addEventListener('click', resetView);
  stage.addEventListener('wheel', (e) => {
    e.preventDefault();
    zoomBy(e.deltaY < 0 ? 1.2 : 1 / 1.2);
  }, { passive: false });

  let drag = null;
  stage.addEventListener('pointerdown', (e) => {
    if (zoom === 1 || e.target.closest('input, button')) return;
    drag = { px: e.clientX, py: e.clientY, x, y };
    stage.setPointerCapture(e.pointerId);
    stage.dataset.dragging = 'true';
  });
  stage.addEventListener('pointermove', (e) => {
    if (!drag) return;
    x = drag.x + e.clientX - drag.px;
    y = drag.y + e.clientY - drag.py;
    apply();
  });
  const end = () => {
    drag = null;
    stage.dataset.dragging = 'false';
  };
  stage.addEventListener('pointerup', end);
  stage.addEventListener('pointercancel', end);

  stage.addEventListener('keydown', (e) => {
    if (e.target !== stage) return;
    const moves = { ArrowLeft: [PAN_STEP, 0], ArrowRight: [-PAN_STEP, 0], ArrowUp: [0, PAN_STEP], ArrowDown: [0, -PAN_STEP] };
    if (e.key === '+' || e.key === '=') zoomBy(STEP);
    else if (e.key === '-') zoomBy(1 / STEP);
    else if (e.key === '0') resetView();
    else if (moves[e.key]) {
      x += moves[e.key][0];
      y += moves[e.key][1];
      apply();
    } else return;
    e.preventDefault();
  });

  apply();
  return {
    reset: resetView,
    zoomBy,
    // Two-finger moves while a brush is on (ui/brushes.js).
    panBy(dx, dy) {
      x += dx;
      y += dy;
      apply();
    },
  };
}
