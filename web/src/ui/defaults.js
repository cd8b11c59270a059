// The UI's defaults in one place. Pipeline values mirror bgcut.Options in
// bgcut/src/bgcut/options.py (the source of truth; the API does not expose them at run time),
// so when those defaults change, change them here too.

export const PIPELINE_DEFAULTS = Object.freeze({
  refine: 'none',
  threshold: 0.4,         // null keeps the model's soft alpha; a number in (0, 1) ramps the edge there
  edge_shift: 0,
  feather: 0,
  decontaminate: true,
  mirror: true,
  crop: true,
});

export const LOOK_DEFAULTS = Object.freeze({
  format: 'image/png',
  background: 'transparent', // 'transparent' | 'color' | 'image' | 'blur'
  color: '#ffffff',
  shadow: false,
  size: 'original',          // 'original' | '50' | '25' | 'max'
  maxSide: 1024,
});

// The threshold slider's value when the person turns the edge threshold back on.
export const THRESHOLD_WHEN_ON = 0.4;
export const RECENT_COLORS_MAX = 6;
