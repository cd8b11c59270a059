// Remembers the person's choices between visits (localStorage; nothing leaves the device).
// Stored values are checked against the defaults' types so a stale or edited entry cannot break the page.

const KEY = 'bgremove.settings.v1';

export function loadSettings(defaults) {
  let stored = {};
  try {
    stored = JSON.parse(localStorage.getItem(KEY) || '{}') || {};
  } catch {
    stored = {};
  }
  const out = { ...defaults };
  for (const [key, value] of Object.entries(stored)) {
    if (!(key in defaults)) continue;
    const want = defaults[key];
    if (want === null ? (value === null || typeof value === 'number') : typeof value === typeof want) {
      out[key] = value;
    }
  }
  return out;
}

export function saveSettings(settings) {
  try {
    localStorage.setItem(KEY, JSON.stringify(settings));
  } catch {
    // Private mode or a full quota: the page still works, it just forgets.
  }
}

/** Whether the stored settings hold this key at all (settings saved before it existed do not). */
export function storedHas(key) {
  try {
    return key in (JSON.parse(localStorage.getItem(KEY) || '{}') || {});
  } catch {
    return false;
  }
}
