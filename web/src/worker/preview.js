// The quick first look: when the plan runs the model more than once, the first pass's mask on a
// small copy of the photo goes to the page as a 'preview' progress event (docs/API.md#preview)
// while the other passes and the full-size post-processing run.

// Long side of the preview, in pixels: enough for a card, cheap to build and to encode.
export const PREVIEW_SIDE = 512;

// A small RGBA copy of the photo, each pixel the mean of a 2x2 grid of samples in its footprint
// (cheap, and far less aliased than one sample). Costs ~1 ms whatever the photo's size.
export function thumbnail(pixels, width, height, side = PREVIEW_SIDE) {
  const scale = Math.min(1, side / Math.max(width, height));
  const tw = Math.max(1, Math.round(width * scale));
  const th = Math.max(1, Math.round(height * scale));
  const data = new Uint8ClampedArray(tw * th * 4);
  const rows = [0, 0];
  const cols = new Int32Array(tw * 2);
  for (let x = 0; x < tw; x += 1) {
    cols[2 * x] = Math.min(width - 1, Math.floor((x + 0.25) * width / tw)) * 4;
    cols[2 * x + 1] = Math.min(width - 1, Math.floor((x + 0.75) * width / tw)) * 4;
  }
  for (let y = 0; y < th; y += 1) {
    rows[0] = Math.min(height - 1, Math.floor((y + 0.25) * height / th)) * width * 4;
    rows[1] = Math.min(height - 1, Math.floor((y + 0.75) * height / th)) * width * 4;
    for (let x = 0; x < tw; x += 1) {
      const o = (y * tw + x) * 4;
      for (let c = 0; c < 4; c += 1) {
        data[o + c] = (pixels[rows[0] + cols[2 * x] + c] + pixels[rows[0] + cols[2 * x + 1] + c]
          + pixels[rows[1] + cols[2 * x] + c] + pixels[rows[1] + cols[2 * x + 1] + c] + 2) >> 2;
      }
    }
  }
  return { data, width: tw, height: th };
}

// The thumbnail with the mask ({data: Float32Array, h, w}, 0..1, covering the whole photo)
// bilinearly scaled onto it as alpha; resolves {blob (PNG), width, height}.
export async function previewCutout(thumb, mask) {
  const { width: tw, height: th } = thumb;
  const out = new Uint8ClampedArray(thumb.data);
  const { data: m, h: mh, w: mw } = mask;
  for (let y = 0; y < th; y += 1) {
    const fy = Math.min(mh - 1, Math.max(0, (y + 0.5) * mh / th - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(mh - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < tw; x += 1) {
      const fx = Math.min(mw - 1, Math.max(0, (x + 0.5) * mw / tw - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(mw - 1, x0 + 1);
      const wx = fx - x0;
      const top = m[y0 * mw + x0] * (1 - wx) + m[y0 * mw + x1] * wx;
      const bottom = m[y1 * mw + x0] * (1 - wx) + m[y1 * mw + x1] * wx;
      const a = top * (1 - wy) + bottom * wy;
      const o = (y * tw + x) * 4 + 3;
      out[o] = out[o] * Math.min(1, Math.max(0, a));
    }
  }
  const canvas = new OffscreenCanvas(tw, th);
  canvas.getContext('2d').putImageData(new ImageData(out, tw, th), 0, 0);
  return { blob: await canvas.convertToBlob({ type: 'image/png' }), width: tw, height: th };
}
