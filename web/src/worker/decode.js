// Photo bytes -> unpremultiplied sRGB RGBA pixels, inside the worker. EXIF orientation is applied
// (as the native CLI does) and embedded colour profiles are not (Pillow does not apply them either).
import { UserError } from './errors.js';
import { megapixels, memoryBudgetBytes, workingSize } from './memory-budget.js';
import { sniffImage } from './sniff.js';

// A 48 MP photo took 751 MiB of Pyodide heap (4 GiB maximum) and 1.8 GiB of renderer memory in all
// (docs/BENCHMARKS.md#limits-and-memory); 64 MP scales that by 4/3. bgremove/decode.py uses the same number.
export const MAX_PIXELS = 64_000_000;

const NAMES = { png: 'PNG', jpeg: 'JPEG', gif: 'GIF', webp: 'WebP', bmp: 'BMP', avif: 'AVIF', heic: 'HEIC',
  tiff: 'TIFF' };

function tooLarge(width, height, label, name) {
  const mp = (width * height / 1e6).toFixed(1);
  return new UserError(`This image is too large${quoted(name)}: ${label}${width}x${height}, ${mp} MP; `
    + `the limit is ${MAX_PIXELS / 1e6} megapixels.`);
}

function quoted(name) {
  return name ? ` ("${name}")` : '';
}

// Browsers paint a cut-off JPEG or PNG grey below the cut without an error; the native decoder
// refuses it, and so do we: a JPEG ends with EOI (FF D9), a PNG with an IEND chunk. Cameras may
// append data after EOI, hence the generous tail.
async function truncated(blob, format) {
  if (format !== 'jpeg' && format !== 'png') return false;
  const span = format === 'jpeg' ? 1 << 20 : 4096;
  const tail = new Uint8Array(await blob.slice(Math.max(0, blob.size - span)).arrayBuffer());
  if (format === 'png') {
    for (let i = tail.length - 8; i >= 0; i -= 1) {
      if (tail[i] === 0x49 && tail[i + 1] === 0x45 && tail[i + 2] === 0x4e && tail[i + 3] === 0x44) return false;
    }
    return true;
  }
  for (let i = tail.length - 2; i >= 0; i -= 1) {
    if (tail[i] === 0xff && tail[i + 1] === 0xd9) return false;
  }
  return true;
}

// Refusals that need only the header; returns the warnings the result should carry.
async function checkHeader(blob, name) {
  const head = await sniffImage(blob);
  const { format, width, height } = head;
  if (format === 'svg') {
    throw new UserError(`SVG images are not supported${quoted(name)}: they are drawings rather than photos, `
      + 'and their scripts are never run here. Export it as PNG first.');
  }
  if (format === null) throw notAnImage(blob, name);
  // A decoder sizes its buffers from the file, and a few KB can describe gigapixels: a file whose
  // size cannot be read before decoding (a damaged or unusual header) is never handed to one.
  // HEIC is the exception: where the browser cannot decode it, libheif reads and checks the size
  // before decoding (heic.js), and it reports a damaged file as such.
  if ((width === undefined || height === undefined) && format !== 'heic') {
    throw new UserError(`This ${NAMES[format]} file does not say how large it is where its format keeps that`
      + `${quoted(name)}, so it is not opened: it is damaged, or written in a way this app does not read. `
      + 'Save it again as JPEG or PNG.');
  }
  if (width < 1 || height < 1) {
    throw new UserError(`This ${NAMES[format]} file says its size is ${width}x${height}${quoted(name)}; `
      + 'the file is damaged.');
  }
  if (width * height > MAX_PIXELS) throw tooLarge(width, height, `its ${NAMES[format]} header says `, name);
  if (await truncated(blob, format)) {
    throw new UserError(`This ${NAMES[format]} file is incomplete (it ends before its image data does), so it `
      + `is not an image the browser can read (${describe(blob, name)}).`);
  }
  const warnings = [];
  if (head.animated) {
    warnings.push(`Animated ${NAMES[format]}: only the first frame was used.`);
  }
  return { format, warnings };
}

function notAnImage(blob, name) {
  return new UserError(`This file is not an image the browser can read (${describe(blob, name)}). `
    + 'Expected a JPEG, PNG, WebP, AVIF, GIF or BMP image.');
}

// Past this device's memory budget (memory-budget.js) the photo is drawn into a smaller canvas,
// same aspect, before any pixel is read out: the full-size copy is never made, and the pipeline
// after it only ever sees the working size.
function toPixels(source, width, height, warnings, budgetBytes) {
  const fit = workingSize(width, height, budgetBytes);
  const canvas = new OffscreenCanvas(fit.width, fit.height);
  // willReadFrequently keeps the canvas on the CPU, so getImageData is a plain copy.
  const ctx = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
  if (!ctx) throw new UserError(`Not enough memory to open this ${width}x${height} image.`);
  if (fit.width === width && fit.height === height) {
    ctx.drawImage(source, 0, 0);
    const { data } = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
    return { pixels: data, width, height, warnings };
  }
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, fit.width, fit.height);
  const { data } = ctx.getImageData(0, 0, fit.width, fit.height, { colorSpace: 'srgb' });
  const downscaled = { from_mp: megapixels(width, height), to_mp: megapixels(fit.width, fit.height),
    from_width: width, from_height: height };
  return {
    pixels: data,
    width: fit.width,
    height: fit.height,
    warnings: [...warnings, `Processed at ${downscaled.to_mp} MP to fit this device's memory `
      + `(the photo has ${downscaled.from_mp} MP).`],
    downscaled,
  };
}

// libheif hands back full-size pixels; past the budget they go through the same smaller canvas, so
// the pipeline after decoding never sees more than the budget either.
async function fitDecoded(decoded, budgetBytes) {
  const { pixels, width, height, warnings } = decoded;
  const fit = workingSize(width, height, budgetBytes);
  if (fit.width === width && fit.height === height) return decoded;
  const bitmap = await createImageBitmap(new ImageData(pixels, width, height), { premultiplyAlpha: 'none' });
  try {
    // runtimeFiles: the engine still has to hand the page this decoded photo (heic.js).
    return { ...toPixels(bitmap, width, height, warnings, budgetBytes), runtimeFiles: decoded.runtimeFiles };
  } finally {
    bitmap.close();
  }
}

function describe(blob, name) {
  const parts = [];
  if (name) parts.push(`"${name}"`);
  parts.push(blob.type || 'unknown type');
  parts.push(`${blob.size} bytes`);
  return parts.join(', ');
}

async function decodeHeicInWorker(blob, name, warnings) {
  let heic;
  try {
    heic = await import('./heic.js');
  } catch (err) {
    throw new UserError(`The HEIC decoder could not be loaded${quoted(name)} (${err?.message || err}); `
      + 'check the connection and try again.');
  }
  const result = await heic.decodeHeic(blob, name, (width, height) => {
    if (width * height > MAX_PIXELS) throw tooLarge(width, height, '', name);
  });
  return { ...result, warnings: [...warnings, ...result.warnings] };
}

/** budgetBytes: what this photo may cost (default: this device's, memory-budget.js). */
export async function decodeToPixels(blob, name = '', { budgetBytes = memoryBudgetBytes() } = {}) {
  if (!(blob instanceof Blob)) throw new UserError('Expected a File or Blob holding an image.');
  if (blob.size === 0) throw new UserError(name ? `This file is empty ("${name}").` : 'This file is empty.');
  const { format, warnings } = await checkHeader(blob, name);
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob, {
      imageOrientation: 'from-image',
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    });
  } catch {
    // Only Safari decodes HEIC itself; everywhere else libheif does, loaded on this first need.
    if (format === 'heic') return fitDecoded(await decodeHeicInWorker(blob, name, warnings), budgetBytes);
    if (format === 'avif' || format === 'tiff') {
      throw new UserError(`This browser cannot decode ${NAMES[format]} images${quoted(name)}. `
        + 'Convert it to JPEG or PNG first, or try another browser.');
    }
    if (format) {
      throw new UserError(`This ${NAMES[format]} file is damaged or incomplete, so it is not an image the `
        + `browser can read (${describe(blob, name)}).`);
    }
    throw notAnImage(blob, name);
  }
  const { width, height } = bitmap;
  try {
    if (width * height > MAX_PIXELS) throw tooLarge(width, height, '', name);
    return toPixels(bitmap, width, height, warnings, budgetBytes);
  } finally {
    bitmap.close();
  }
}
