// The model choice people see: the manifest's tiers ("Fast", "Best quality") with their download
// size and, for the slower one, about how long a photo takes on this device, from what this page
// has measured of the fast model times the tier's relative_cost (the manifest's native ratio).
import { modelMemoryProblem } from '../worker/memory-budget.js';

const mb = (n) => (n >= 10e6 ? `${Math.round(n / 1e6)} MB` : `${(n / 1e6).toFixed(1)} MB`);

// What the WASM engine downloads: the manifest's wire size (brotli) when it has one.
function wireBytes(tier, manifest) {
  const wire = tier.wire_bytes?.wasm;
  if (wire) return wire;
  const id = manifest.runtime_variants?.[tier.architecture]?.wasm;
  return manifest.models.find((m) => m.id === id || (!id && m.architecture === tier.architecture))?.bytes || 0;
}

function seconds(ms) {
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

/** The option text of one tier: "Fast (1.0 MB)", "Best quality, 30 MB, about 4.2 s per photo on this device". */
export function tierText(tier, manifest, estimateMs) {
  const size = mb(wireBytes(tier, manifest));
  const label = tier.label || tier.architecture;
  if (!(tier.relative_cost > 1)) return `${label} (${size})`;
  const time = estimateMs ? `, about ${seconds(estimateMs)} per photo on this device` : '';
  return `${label}, ${size}${time}`;
}

/** The tier whose architecture this model id or name belongs to (null: none). */
export function tierOf(manifest, name) {
  const tiers = manifest?.tiers || {};
  if (Object.hasOwn(tiers, name)) return name;
  const arch = manifest?.models.find((m) => m.id === name)?.architecture ?? name;
  return Object.keys(tiers).find((t) => tiers[t].architecture === arch) ?? null;
}

/** null when this device can hold the model a choice names, else the message to show. */
export function memoryProblem(manifest, choice) {
  const tiers = manifest.tiers || {};
  const arch = Object.hasOwn(tiers, choice) ? tiers[choice].architecture : choice;
  const entry = manifest.models.find((m) => m.id === choice) || manifest.models.find((m) => m.architecture === arch);
  return entry ? modelMemoryProblem(manifest, entry) : null;
}

/**
 * Time per photo measured on this page, per architecture: the engine's warm-up model run (when it
 * ran at the model's input size: WebGPU; WASM warms up smaller, so its label waits for a photo)
 * until a photo has run, then the last photo's, as time per model run, runs, and the rest of the photo
 * (decoding, post-processing: the same for every model). estimateMs(tier) for a tier not measured
 * yet takes the fast model's run time times the tier's relative_cost, and the fast photo's runs,
 * halved when that tier's plan has no mirror pass and the fast one's has (it doubles the runs).
 */
export class PhotoTimes {
  #byArch = new Map();

  fromEngine(info) {
    const run = info.startup?.warmUpModel;
    const arch = info.model.architecture;
    // WASM warms up at a small size (inference-worker.js): that run says nothing of a photo's.
    if (!run || !info.warmUpAtModelSize) return;
    if (!this.#byArch.get(arch)?.photo) this.#byArch.set(arch, { perRun: run[1] - run[0], runs: 1, rest: 0 });
  }

  fromResult(result, architecture) {
    const t = result.timings;
    if (!t || !architecture) return;
    const runs = Math.max(1, result.modelRuns || 1);
    this.#byArch.set(architecture, { perRun: t.inference / runs, runs, rest: Math.max(0, t.total - t.inference), photo: true });
  }

  estimateMs(manifest, tierName) {
    const tiers = manifest?.tiers || {};
    const tier = tiers[tierName];
    if (!tier) return null;
    const own = this.#byArch.get(tier.architecture);
    if (own?.photo) return own.perRun * own.runs + own.rest;
    const fast = Object.values(tiers).find((t) => t.relative_cost === 1);
    const base = fast && this.#byArch.get(fast.architecture);
    if (!base) return own ? own.perRun : null;
    const plans = manifest.plans || {};
    const halve = plans[tier.architecture]?.mirror === false && plans[fast.architecture]?.mirror !== false;
    const runs = halve ? Math.ceil(base.runs / 2) : base.runs;
    return base.perRun * tier.relative_cost * runs + base.rest;
  }
}
