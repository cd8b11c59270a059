// RGBA pixels -> an image file, with the browser's own encoders, inside the worker.

export async function encodePixels(rgba, width, height, type, quality) {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { colorSpace: 'srgb' });
  // The canvas stores premultiplied colour, so nearly transparent pixels lose colour precision;
  // their alpha is exact.
  ctx.putImageData(new ImageData(rgba, width, height), 0, 0);
  const options = { type };
  if (quality !== undefined) options.quality = quality;
  return canvas.convertToBlob(options);
}
