// Photo bytes -> unpremultiplied sRGB RGBA pixels, inside the worker. EXIF orientation is applied
// (as the native CLI does) and embedded colour profiles are not (Pillow does not apply them either).
import { UserError } from './errors.js';

// Chromium's canvas area limit is ~268 MP; a 64 MP photo already needs ~1.5 GB across our stages.
export const MAX_PIXELS = 64_000_000;

function describe(blob, name) {
  const parts = [];
  if (name) parts.push(`"${name}"`);
  parts.push(blob.type || 'unknown type');
  parts.push(`${blob.size} bytes`);
  return parts.join(', ');
}

export async function decodeToPixels(blob, name = '') {
  if (!(blob instanceof Blob)) throw new UserError('Expected a File or Blob holding an image.');
  if (blob.size === 0) throw new UserError(name ? `This file is empty ("${name}").` : 'This file is empty.');
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob, {
      imageOrientation: 'from-image',
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    });
  } catch {
    throw new UserError(`This file is not an image the browser can read (${describe(blob, name)}). `
      + 'Expected a JPEG, PNG, WebP, AVIF, GIF or BMP image.');
  }
  const { width, height } = bitmap;
  try {
    if (width * height > MAX_PIXELS) {
      throw new UserError(`This image is too large (${width}x${height}, ${(width * height / 1e6).toFixed(1)} MP); `
        + `the limit is ${MAX_PIXELS / 1e6} MP.`);
    }
    const canvas = new OffscreenCanvas(width, height);
    // willReadFrequently keeps the canvas on the CPU, so getImageData is a plain copy.
    const ctx = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
    if (!ctx) throw new UserError(`Not enough memory to open this ${width}x${height} image.`);
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
    return { pixels: data, width, height };
  } finally {
    bitmap.close();
  }
}
