// A finished cut-out -> the file the person asked for: format, background, size. Also the ZIP of
// everything (fflate, served from /vendor like the other runtimes) and copying to the clipboard.
import { paintBackground } from './backgrounds.js';

export const FORMATS = Object.freeze({
  'image/png': { ext: 'png', suffix: 'cutout' },
  'image/webp': { ext: 'webp', suffix: 'cutout' },
  'image/jpeg': { ext: 'jpg', suffix: 'cutout' },
  mask: { ext: 'png', suffix: 'mask' },
});

const LOSSY_QUALITY = 0.92;

export function outputSize(width, height, { size, maxSide }) {
  let s = 1;
  if (size === '50') s = 0.5;
  else if (size === '25') s = 0.25;
  else if (size === 'max' && maxSide > 0) s = Math.min(1, maxSide / Math.max(width, height));
  return [Math.max(1, Math.round(width * s)), Math.max(1, Math.round(height * s))];
}

export function exportName(name, format) {
  const stem = (name || 'image').replace(/\.[^.]+$/, '') || 'image';
  const f = FORMATS[format] || FORMATS['image/png'];
  return `${stem}-${f.suffix}.${f.ext}`;
}

/**
 * result: {blob, cutout: ImageBitmap, original: ImageBitmap, width, height}; look: the export
 * settings ({format, background, color, image, shadow, size, maxSide}). Resolves {blob, width, height}.
 */
export async function renderExport(result, look) {
  const { format } = look;
  const [w, h] = outputSize(result.width, result.height, look);
  const unchanged = w === result.width && h === result.height;
  if (format === 'image/png' && look.background === 'transparent' && !look.shadow && unchanged) {
    return { blob: result.blob, width: w, height: h }; // the engine's own file, bit for bit
  }
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  if (format === 'mask') {
    ctx.drawImage(result.cutout, 0, 0, w, h);
    const img = ctx.getImageData(0, 0, w, h);
    const d = img.data;
    for (let i = 0; i < d.length; i += 4) {
      d[i] = d[i + 1] = d[i + 2] = d[i + 3];
      d[i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return { blob: await canvas.convertToBlob({ type: 'image/png' }), width: w, height: h };
  }
  const bg = { kind: look.background, color: look.color, image: look.image };
  const painted = paintBackground(ctx, w, h, bg, result.original);
  if (!painted && format === 'image/jpeg') {
    // JPEG has no alpha: composite on the chosen colour, white unless one was picked.
    paintBackground(ctx, w, h, { kind: 'color', color: look.background === 'color' ? look.color : '#ffffff' });
  }
  if (look.shadow) {
    ctx.save();
    ctx.shadowColor = 'rgba(0, 0, 0, 0.45)';
    ctx.shadowBlur = Math.max(4, Math.round(Math.max(w, h) / 60));
    ctx.shadowOffsetX = ctx.shadowOffsetY = Math.max(2, Math.round(Math.max(w, h) / 150));
    ctx.drawImage(result.cutout, 0, 0, w, h);
    ctx.restore();
  } else {
    ctx.drawImage(result.cutout, 0, 0, w, h);
  }
  const options = { type: format };
  if (format !== 'image/png') options.quality = LOSSY_QUALITY;
  return { blob: await canvas.convertToBlob(options), width: w, height: h };
}

let fflate = null;

async function loadFflate() {
  if (!fflate) {
    fflate = (async () => {
      const res = await fetch('/vendor/runtime.json', { cache: 'no-cache' });
      if (!res.ok) throw new Error(`runtime.json missing (HTTP ${res.status})`);
      const rt = await res.json();
      if (!rt.fflate) throw new Error('the ZIP library is not installed (run python -m webbuild)');
      return import(rt.fflate.base + rt.fflate.module);
    })();
    fflate.catch(() => { fflate = null; });
  }
  return fflate;
}

function uniqueName(name, used) {
  let candidate = name;
  for (let n = 2; used.has(candidate); n += 1) candidate = name.replace(/(\.[^.]+)$/, `-${n}$1`);
  used.add(candidate);
  return candidate;
}

/** entries: [{name, blob}] -> a ZIP Blob. Images are stored, not deflated: they are compressed already. */
export async function buildZip(entries) {
  const { zipSync } = await loadFflate();
  const used = new Set();
  const files = {};
  for (const { name, blob } of entries) {
    files[uniqueName(name, used)] = [new Uint8Array(await blob.arrayBuffer()), { level: 0 }];
  }
  return new Blob([zipSync(files)], { type: 'application/zip' });
}

export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Copy as PNG (the one image type the async clipboard accepts everywhere). */
export async function copyPng(result, look) {
  if (!navigator.clipboard?.write || typeof ClipboardItem === 'undefined') {
    throw new Error('This browser cannot copy images to the clipboard; use Download instead.');
  }
  const format = look.format === 'mask' ? 'mask' : 'image/png';
  const item = new ClipboardItem({
    'image/png': renderExport(result, { ...look, format }).then((r) => r.blob),
  });
  await navigator.clipboard.write([item]);
}
