// Light and dark themes: follows prefers-color-scheme until the person picks one with the toggle,
// which is then remembered.

const KEY = 'bgremove.theme';
// The browser's and the installed app's title bar follow the page (index.html's meta theme-color).
const BAR = { light: '#fafafa', dark: '#131316' };
const media = matchMedia('(prefers-color-scheme: dark)');

function stored() {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : null;
  } catch {
    return null;
  }
}

export function effectiveTheme() {
  return stored() || (media.matches ? 'dark' : 'light');
}

function apply(button) {
  const theme = effectiveTheme();
  document.documentElement.dataset.theme = theme;
  for (const meta of document.querySelectorAll('meta[name="theme-color"]')) meta.content = BAR[theme];
  const next = theme === 'dark' ? 'light' : 'dark';
  button.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
  button.setAttribute('aria-label', `Switch to the ${next} theme`);
  button.setAttribute('aria-pressed', String(theme === 'dark'));
}

export function initTheme(button) {
  apply(button);
  media.addEventListener('change', () => apply(button));
  button.addEventListener('click', () => {
    const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // not remembered, still switched below
    }
    document.documentElement.dataset.theme = next;
    apply(button);
  });
}
