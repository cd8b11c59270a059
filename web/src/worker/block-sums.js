// The working copy's block sums (bgcut.passes.block_sums) in plain JavaScript. NumPy in
// WebAssembly adds a 12 MP photo's 3-channel strided rows about 15 times slower than this loop;
// the sums are exact integers, so bgcut gets the same working copy either way.

// rgba: Uint8ClampedArray (width * height * 4); scale: the block side (glue.work_scale).
// Returns Uint32Array (ceil(height/scale) * ceil(width/scale) * 3), row-major RGB.
export function blockSums(rgba, width, height, scale) {
  const ow = Math.ceil(width / scale);
  const oh = Math.ceil(height / scale);
  const out = new Uint32Array(oh * ow * 3);
  for (let y = 0; y < height; y += 1) {
    let o = Math.floor(y / scale) * ow * 3;
    let i = y * width * 4;
    for (let x0 = 0; x0 < width; x0 += scale) {
      const end = i + Math.min(scale, width - x0) * 4;
      let r = 0;
      let g = 0;
      let b = 0;
      for (; i < end; i += 4) {
        r += rgba[i];
        g += rgba[i + 1];
        b += rgba[i + 2];
      }
      out[o] += r;
      out[o + 1] += g;
      out[o + 2] += b;
      o += 3;
    }
  }
  return { sums: out, height: oh, width: ow };
}
