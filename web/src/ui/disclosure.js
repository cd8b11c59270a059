// A <details> section that opens as the person left it last time (localStorage, this device only).

export function rememberOpen(details, key) {
  try {
    details.open = localStorage.getItem(key) === 'open';
  } catch {
    // storage blocked: it starts closed
  }
  details.addEventListener('toggle', () => {
    try {
      localStorage.setItem(key, details.open ? 'open' : 'closed');
    } catch {
      // not remembered, still toggled
    }
  });
}
