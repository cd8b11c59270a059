// What the engine runs once while it starts, so the first photo is not slower than the next ones:
// a small synthetic photo, and a stand-in for the model (warmed separately) with a soft-edged
// subject, so post-processing takes its edge paths as on a real photo.

const WIDTH = 192;
const HEIGHT = 128;

export async function warmUpImage() {
  const canvas = new OffscreenCanvas(WIDTH, HEIGHT);
  const ctx = canvas.getContext('2d');
  const sky = ctx.createLinearGradient(0, 0, 0, HEIGHT);
  sky.addColorStop(0, '#8ab4d8');
  sky.addColorStop(1, '#d9c9a8');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  ctx.fillStyle = '#7a3b2e';
  ctx.beginPath();
  ctx.ellipse(WIDTH / 2, HEIGHT * 0.6, WIDTH * 0.2, HEIGHT * 0.35, 0, 0, 2 * Math.PI);
  ctx.fill();
  // A JPEG, as most photos are: the decoder's first use is part of what the warm-up pays for.
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
}

// Same signature as the model run: a centred ellipse, 1 inside, 0 outside, a ramp between.
export async function warmUpMask(input, h, w) {
  const data = new Float32Array(h * w);
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const dx = (x - w / 2) / (0.2 * w);
      const dy = (y - 0.6 * h) / (0.35 * h);
      const r = Math.sqrt(dx * dx + dy * dy);
      data[y * w + x] = Math.min(1, Math.max(0, (1.15 - r) / 0.3));
    }
  }
  return { data, dims: [1, 1, h, w] };
}
