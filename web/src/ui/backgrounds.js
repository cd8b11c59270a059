// What goes behind the cut-out: nothing (checkerboard on screen), a colour, the person's own image,
// or a blur of the original photo. Painted on a canvas in the page, so switching is instant and the
// model does not run again.
import { RECENT_COLORS_MAX } from './defaults.js';

const HEX = /^#[0-9a-f]{6}$/i;

// The blur works on a small copy (like bgcut's 'blur' background): cheap at any photo size.
const BLUR_LONG_SIDE = 64;
const BLUR_PX = 2;
const BLUR_PAD = 8;

export function isHexColor(value) {
  return typeof value === 'string' && HEX.test(value);
}

export function pushRecentColor(recent, color) {
  const c = color.toLowerCase();
  return [c, ...recent.filter((x) => x !== c)].slice(0, RECENT_COLORS_MAX);
}

function blurred(original) {
  const s = BLUR_LONG_SIDE / Math.max(original.width, original.height);
  const sw = Math.max(1, Math.round(original.width * s));
  const sh = Math.max(1, Math.round(original.height * s));
  // Padding with stretched edges keeps the blur from fading to transparent at the borders.
  const padded = new OffscreenCanvas(sw + 2 * BLUR_PAD, sh + 2 * BLUR_PAD);
  const pctx = padded.getContext('2d');
  pctx.drawImage(original, 0, 0, padded.width, padded.height);
  pctx.drawImage(original, BLUR_PAD, BLUR_PAD, sw, sh);
  const out = new OffscreenCanvas(padded.width, padded.height);
  const octx = out.getContext('2d');
  octx.filter = `blur(${BLUR_PX}px)`;
  octx.drawImage(padded, 0, 0);
  return { canvas: out, sw, sh };
}

const blurCache = new WeakMap();

/** Paint the chosen background over the whole w x h canvas; false when it stays transparent. */
export function paintBackground(ctx, w, h, { kind, color, image }, original) {
  if (kind === 'color' && isHexColor(color)) {
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, w, h);
    return true;
  }
  if (kind === 'image' && image) {
    // Cover the canvas and crop the centre, as bgcut does for an image background.
    const s = Math.max(w / image.width, h / image.height);
    const dw = image.width * s;
    const dh = image.height * s;
    ctx.drawImage(image, (w - dw) / 2, (h - dh) / 2, dw, dh);
    return true;
  }
  if (kind === 'blur' && original) {
    let b = blurCache.get(original);
    if (!b) {
      b = blurred(original);
      blurCache.set(original, b);
    }
    ctx.drawImage(b.canvas, BLUR_PAD, BLUR_PAD, b.sw, b.sh, 0, 0, w, h);
    return true;
  }
  return false;
}
