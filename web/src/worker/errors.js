// Errors whose message is meant for the person using the page (bad file, bad option), as opposed
// to engine failures; the page shows the former as-is.

export class UserError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UserError';
  }
}

// Pyodide's PythonError carries the whole traceback; people need only its last line.
export function pythonMessage(err) {
  const lines = String(err?.message || err).trim().split('\n').filter(Boolean);
  const last = lines[lines.length - 1] || 'unknown error';
  return last.replace(/^ValueError:\s*/, '');
}
