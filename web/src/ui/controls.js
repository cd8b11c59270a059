// The settings form: pipeline options (sent to the remover), the look of the export (applied in the
// page), a reset, and remembering everything in localStorage.
import { isHexColor, pushRecentColor } from './backgrounds.js';
import { LOOK_DEFAULTS, PIPELINE_DEFAULTS, THRESHOLD_WHEN_ON } from './defaults.js';
import { tierOf, tierText } from './model-choice.js';
import { loadSettings, saveSettings, storedHas } from './settings-store.js';

// edited: the pipeline settings the person changed; only those are sent, so every other one is the
// running model's plan default (the manifest's plans, applied by the engine).
const DEFAULTS = { ...PIPELINE_DEFAULTS, ...LOOK_DEFAULTS, model: '', recentColors: [], edited: [] };
const PIPELINE_KEYS = Object.keys(PIPELINE_DEFAULTS);

const $ = (id) => document.getElementById(id);

export function initControls({ onLookChange, onPipelineChange, onModelChange }) {
  const settings = loadSettings(DEFAULTS);
  settings.recentColors = (Array.isArray(settings.recentColors) ? settings.recentColors : []).filter(isHexColor);
  // Settings saved before `edited` existed: whatever differs from the defaults was the person's.
  const edited = new Set((Array.isArray(settings.edited) ? settings.edited : []).filter((k) => PIPELINE_KEYS.includes(k)));
  if (!storedHas('edited')) for (const key of PIPELINE_KEYS) if (settings[key] !== PIPELINE_DEFAULTS[key]) edited.add(key);
  // The running model's plan defaults for the pipeline settings (PIPELINE_DEFAULTS until it says).
  let planDefaults = { ...PIPELINE_DEFAULTS };
  let bgImage = null; // an ImageBitmap; not remembered (it is the person's photo)

  const el = {
    model: $('opt-model'),
    refine: $('opt-refine'),
    hardEdge: $('opt-hard-edge'),
    threshold: $('opt-threshold'),
    thresholdOut: $('opt-threshold-out'),
    edgeShift: $('opt-edge-shift'),
    edgeShiftOut: $('opt-edge-shift-out'),
    feather: $('opt-feather'),
    featherOut: $('opt-feather-out'),
    decontaminate: $('opt-decontaminate'),
    mirror: $('opt-mirror'),
    crop: $('opt-crop'),
    reset: $('opt-reset'),
    format: $('opt-format'),
    background: $('opt-background'),
    color: $('opt-color'),
    recent: $('recent-colors'),
    bgImage: $('opt-bg-image'),
    bgImageRow: $('bg-image-row'),
    colorRow: $('bg-color-row'),
    shadow: $('opt-shadow'),
    size: $('opt-size'),
    maxSide: $('opt-max-side'),
    maxSideRow: $('max-side-row'),
  };

  function render() {
    el.refine.value = settings.refine;
    el.hardEdge.checked = settings.threshold !== null;
    el.threshold.disabled = settings.threshold === null;
    el.threshold.value = String(settings.threshold ?? THRESHOLD_WHEN_ON);
    el.thresholdOut.textContent = settings.threshold === null ? 'soft' : Number(settings.threshold).toFixed(2);
    el.edgeShift.value = String(settings.edge_shift);
    el.edgeShiftOut.textContent = `${settings.edge_shift} px`;
    el.feather.value = String(settings.feather);
    el.featherOut.textContent = `${settings.feather} px`;
    el.decontaminate.checked = settings.decontaminate;
    el.mirror.checked = settings.mirror;
    el.crop.checked = settings.crop;
    el.format.value = settings.format;
    el.background.value = settings.background;
    el.color.value = settings.color;
    el.colorRow.hidden = settings.background !== 'color';
    el.bgImageRow.hidden = settings.background !== 'image';
    el.shadow.checked = settings.shadow;
    el.size.value = settings.size;
    el.maxSide.value = String(settings.maxSide);
    el.maxSideRow.hidden = settings.size !== 'max';
    renderRecent();
  }

  function renderRecent() {
    el.recent.replaceChildren(...settings.recentColors.map((c) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'swatch';
      b.style.setProperty('--swatch', c);
      b.setAttribute('aria-label', `Use colour ${c}`);
      b.title = c;
      b.addEventListener('click', () => {
        settings.color = c;
        settings.background = 'color';
        lookChanged();
      });
      return b;
    }));
  }

  function lookChanged() {
    if (settings.background === 'color') settings.recentColors = pushRecentColor(settings.recentColors, settings.color);
    saveSettings(settings);
    render();
    onLookChange();
  }

  function pipelineChanged(key) {
    if (key) edited.add(key);
    settings.edited = [...edited];
    saveSettings(settings);
    render();
    onPipelineChange();
  }

  el.refine.addEventListener('change', () => { settings.refine = el.refine.value; pipelineChanged('refine'); });
  el.hardEdge.addEventListener('change', () => {
    settings.threshold = el.hardEdge.checked ? Number(el.threshold.value) : null;
    pipelineChanged('threshold');
  });
  el.threshold.addEventListener('change', () => {
    settings.threshold = Number(el.threshold.value);
    pipelineChanged('threshold');
  });
  el.threshold.addEventListener('input', () => { el.thresholdOut.textContent = Number(el.threshold.value).toFixed(2); });
  el.edgeShift.addEventListener('change', () => {
    settings.edge_shift = Number(el.edgeShift.value);
    pipelineChanged('edge_shift');
  });
  el.edgeShift.addEventListener('input', () => { el.edgeShiftOut.textContent = `${el.edgeShift.value} px`; });
  el.feather.addEventListener('change', () => { settings.feather = Number(el.feather.value); pipelineChanged('feather'); });
  el.feather.addEventListener('input', () => { el.featherOut.textContent = `${el.feather.value} px`; });
  el.decontaminate.addEventListener('change', () => {
    settings.decontaminate = el.decontaminate.checked;
    pipelineChanged('decontaminate');
  });
  el.mirror.addEventListener('change', () => { settings.mirror = el.mirror.checked; pipelineChanged('mirror'); });
  el.crop.addEventListener('change', () => { settings.crop = el.crop.checked; pipelineChanged('crop'); });
  el.reset.addEventListener('click', () => {
    Object.assign(settings, planDefaults);
    edited.clear();
    pipelineChanged();
  });

  el.format.addEventListener('change', () => { settings.format = el.format.value; lookChanged(); });
  el.background.addEventListener('change', () => { settings.background = el.background.value; lookChanged(); });
  el.color.addEventListener('change', () => { settings.color = el.color.value; lookChanged(); });
  el.shadow.addEventListener('change', () => { settings.shadow = el.shadow.checked; lookChanged(); });
  el.size.addEventListener('change', () => { settings.size = el.size.value; lookChanged(); });
  el.maxSide.addEventListener('change', () => {
    const n = Math.round(Number(el.maxSide.value));
    if (Number.isFinite(n) && n >= 16) settings.maxSide = n;
    lookChanged();
  });
  el.bgImage.addEventListener('change', async () => {
    const file = el.bgImage.files[0];
    if (!file) return;
    try {
      bgImage?.close();
      bgImage = await createImageBitmap(file, { imageOrientation: 'from-image' });
      el.bgImage.setCustomValidity('');
    } catch {
      bgImage = null;
      el.bgImage.setCustomValidity(`"${file.name}" is not an image this browser can read.`);
      el.bgImage.reportValidity();
    }
    lookChanged();
  });

  el.model.addEventListener('change', () => {
    settings.model = el.model.value;
    saveSettings(settings);
    onModelChange(settings.model);
  });

  render();

  return {
    settings,
    /** The remover.remove() options for the pipeline settings the person changed. */
    pipelineOptions() {
      const out = {};
      for (const key of edited) if (settings[key] !== null) out[key] = settings[key];
      return out;
    },
    /** The running model's plan defaults (engine info.plan): shown wherever the person chose nothing. */
    setPlan(plan = {}) {
      planDefaults = { ...PIPELINE_DEFAULTS };
      for (const key of PIPELINE_KEYS) if (key in plan) planDefaults[key] = plan[key];
      for (const key of PIPELINE_KEYS) if (!edited.has(key)) settings[key] = planDefaults[key];
      render();
    },
    /** What renderExport() needs. */
    look() {
      return { ...settings, image: bgImage };
    },
    /**
     * Fill the model list from the manifest: its tiers first ("Fast", "Best quality"), then every
     * variant by id. Returns what to start with: the remembered choice, else the default's tier.
     */
    setModels(manifest, estimateMs = () => null) {
      const option = (value, text) => {
        const o = document.createElement('option');
        o.value = value;
        o.textContent = text;
        return o;
      };
      const tiers = Object.entries(manifest.tiers || {});
      const variants = manifest.models.map((m) => option(m.id, `${m.id} (${(m.bytes / 1e6).toFixed(1)} MB)`));
      if (tiers.length) {
        const group = document.createElement('optgroup');
        group.label = 'Exact variants';
        group.append(...variants);
        el.model.replaceChildren(...tiers.map(([name, tier]) => option(name, tierText(tier, manifest, estimateMs(name)))),
          group);
      } else {
        el.model.replaceChildren(...variants);
      }
      const values = [...el.model.options].map((o) => o.value);
      el.model.value = values.includes(settings.model) ? settings.model
        : (tierOf(manifest, manifest.default) ?? manifest.default);
      return el.model.value;
    },
    /** Relabel the tiers (a new time estimate) without touching the choice. */
    relabelTiers(manifest, estimateMs) {
      for (const o of el.model.options) {
        const tier = manifest.tiers?.[o.value];
        if (tier) o.textContent = tierText(tier, manifest, estimateMs(o.value));
      }
    },
    /** The engine runs this model: keep a tier shown when it is that tier's architecture. */
    setModel(id, manifest) {
      if (el.model.value === id) return;
      const current = manifest?.tiers?.[el.model.value];
      const arch = manifest?.models.find((m) => m.id === id)?.architecture;
      if (current && current.architecture === arch) return;
      el.model.value = tierOf(manifest, id) ?? id;
    },
    /** Show (and remember) a choice made for the person, e.g. back to Fast when Best cannot run. */
    chooseModel(value) {
      el.model.value = value;
      settings.model = value;
      saveSettings(settings);
    },
  };
}
