// Which execution backend runs the model, and which precision of it. WebGPU counts in 'auto' only
// with a real (non-fallback) adapter: a software adapter is slower than our threaded WASM path.

export async function probeWebGpu() {
  if (!('gpu' in navigator)) return { available: false, reason: 'navigator.gpu missing' };
  let adapter = null;
  try {
    adapter = await navigator.gpu.requestAdapter();
  } catch (err) {
    return { available: false, reason: String(err) };
  }
  if (!adapter) return { available: false, reason: 'no adapter' };
  const info = adapter.info || {};
  const fallback = Boolean(adapter.isFallbackAdapter || info.isFallbackAdapter);
  return {
    available: true,
    fallback,
    shaderF16: adapter.features.has('shader-f16'),
    vendor: info.vendor || '',
    architecture: info.architecture || '',
    description: info.description || '',
  };
}

export function wasmCapabilities() {
  return {
    threads: Boolean(self.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined'),
    cores: navigator.hardwareConcurrency || 1,
  };
}

// The manifest's runtime_variants names each runtime's fastest variant of an architecture
// ({"u2netp": {"native": ..., "wasm": ..., "webgpu": ...}}); these orders are the fallback for a
// manifest without it: quantized ops mostly fall back to the CPU under WebGPU, so WebGPU gets fp16
// when the adapter has shader-f16 and fp32 otherwise.
const WASM_VARIANTS = ['uint8', 'fp32', 'fp16'];
const webgpuVariants = (gpu) => (gpu.shaderF16 ? ['fp16', 'fp32'] : ['fp32']);

function entryFor(models, architecture, variants) {
  for (const variant of variants) {
    const hit = models.models.find((m) => m.architecture === architecture && m.variant === variant);
    if (hit) return hit;
  }
  return null;
}

function runtimeVariant(models, architecture, runtime) {
  const id = models.runtime_variants?.[architecture]?.[runtime];
  return id ? models.models.find((m) => m.id === id) || null : null;
}

function wasmEntry(models, architecture) {
  return runtimeVariant(models, architecture, 'wasm') || entryFor(models, architecture, WASM_VARIANTS);
}

function webgpuEntry(models, architecture, gpu) {
  const named = runtimeVariant(models, architecture, 'webgpu');
  if (named && runsOnWebGpu(named, gpu)) return named;
  return entryFor(models, architecture, webgpuVariants(gpu));
}

function runsOnWebGpu(entry, gpu) {
  if (entry.variant === 'fp16') return gpu.shaderF16;
  return entry.variant === 'fp32';
}

/** Every name chooseBackend accepts, for messages: the tiers, the architectures, the ids. */
export function modelChoices(models) {
  const archs = [...new Set(models.models.map((m) => m.architecture))];
  const tiers = Object.keys(models.tiers || {});
  return [...tiers, ...archs, ...models.models.map((m) => m.id)].join(', ');
}

/**
 * Pick {backend, entry, reason}. `model` is a manifest id of one variant, or a tier ('fast',
 * 'best': the manifest's tiers name an architecture), an architecture name, the manifest's default
 * id or undefined for that architecture (the default's) in the variant the manifest's
 * runtime_variants names for the backend; `backend` is 'auto' | 'wasm' | 'webgpu'.
 * Throws an Error a person can act on when a forced choice cannot run here.
 */
export function chooseBackend(models, { model, backend = 'auto' }, gpu) {
  let explicit = null;
  const architectures = new Set(models.models.map((m) => m.architecture));
  const tier = Object.hasOwn(models.tiers || {}, model ?? '') ? models.tiers[model] : null;
  if (tier) model = tier.architecture;
  // The page passes the manifest's default id when nobody chose a model.
  const byArchitecture = !model || model === models.default || architectures.has(model);
  if (!byArchitecture) {
    explicit = models.models.find((m) => m.id === model);
    if (!explicit) throw new Error(`Unknown model "${model}". Choose one of: ${modelChoices(models)}.`);
  }
  const fallbackEntry = models.models.find((m) => m.id === models.default) || models.models[0];
  if (!fallbackEntry) throw new Error('The model manifest lists no models.');
  const architecture = explicit?.architecture
    ?? (architectures.has(model) ? model : fallbackEntry.architecture);
  const forWasm = () => explicit || wasmEntry(models, architecture) || fallbackEntry;
  const forWebGpu = () => explicit || webgpuEntry(models, architecture, gpu) || fallbackEntry;

  if (backend === 'wasm') return { backend: 'wasm', entry: forWasm(), reason: 'requested' };
  if (backend === 'webgpu') {
    if (!gpu.available) throw new Error(`WebGPU is not available in this browser (${gpu.reason}).`);
    const entry = forWebGpu();
    if (!runsOnWebGpu(entry, gpu)) {
      throw new Error(`Model "${entry.id}" (${entry.variant}) cannot run on this WebGPU adapter`
        + `${entry.variant === 'fp16' ? ' (no shader-f16 support)' : ''}.`);
    }
    return { backend: 'webgpu', entry, reason: 'requested' };
  }
  if (backend !== 'auto') throw new Error(`backend must be 'auto', 'wasm' or 'webgpu', got "${backend}".`);

  if (!gpu.available) return { backend: 'wasm', entry: forWasm(), reason: `no WebGPU (${gpu.reason})` };
  if (gpu.fallback) return { backend: 'wasm', entry: forWasm(), reason: 'WebGPU adapter is software' };
  const entry = forWebGpu();
  if (!runsOnWebGpu(entry, gpu)) {
    return { backend: 'wasm', entry: forWasm(), reason: `${entry.variant} model needs the CPU` };
  }
  return { backend: 'webgpu', entry, reason: 'hardware WebGPU adapter' };
}

// When a WebGPU session cannot be built in 'auto' mode, the same architecture on WASM.
export function wasmFallback(models, entry) {
  return wasmEntry(models, entry.architecture) || entry;
}
