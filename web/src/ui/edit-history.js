// One photo's touch-up edits as data: the stroke list in full-resolution photo pixels (the v1
// edits file, docs/API.md#edits) and a cursor into it, so undo and redo are steps over the list.

export const EDITS_VERSION = 1;
// The page's own sanity bounds on a loaded file; bgcut.edits checks again and clips what it must.
const MAX_STROKES = 10_000;
const MAX_POINTS = 200_000;

export class EditHistory {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.strokes = [];
    this.cursor = 0; // strokes[0..cursor) are applied; the rest can be redone
    this.version = 0; // bumps on every change, so stale renders can be told apart
  }

  get applied() {
    return this.strokes.slice(0, this.cursor);
  }

  get canUndo() {
    return this.cursor > 0;
  }

  get canRedo() {
    return this.cursor < this.strokes.length;
  }

  push(stroke) {
    this.strokes.length = this.cursor;
    this.strokes.push(stroke);
    this.cursor += 1;
    this.version += 1;
  }

  undo() {
    if (!this.canUndo) return false;
    this.cursor -= 1;
    this.version += 1;
    return true;
  }

  redo() {
    if (!this.canRedo) return false;
    this.cursor += 1;
    this.version += 1;
    return true;
  }

  /** Replaces the whole list (a loaded file); undo then steps back through its strokes. */
  replace(strokes) {
    this.strokes = strokes.slice();
    this.cursor = strokes.length;
    this.version += 1;
  }

  clear() {
    this.replace([]);
  }

  toJSON() {
    return { version: EDITS_VERSION, photo: { width: this.width, height: this.height }, strokes: this.applied };
  }
}

/** A parsed edits file -> its strokes, or an Error whose message says what is wrong with it. */
export function strokesFromJSON(data, width, height) {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('this is not an edits file');
  if (data.version !== EDITS_VERSION) throw new Error(`unsupported edits version ${JSON.stringify(data.version)}`);
  const pw = data.photo?.width;
  const ph = data.photo?.height;
  if (pw !== width || ph !== height) {
    throw new Error(`the edits are for a ${pw}×${ph} photo; this one is ${width}×${height}`);
  }
  if (!Array.isArray(data.strokes) || data.strokes.length > MAX_STROKES) {
    throw new Error(`the strokes must be a list of at most ${MAX_STROKES}`);
  }
  let points = 0;
  return data.strokes.map((s, i) => {
    const where = `stroke ${i + 1}`;
    if (s?.mode !== 'keep' && s?.mode !== 'erase') throw new Error(`${where}: mode must be "keep" or "erase"`);
    if (!Number.isFinite(s.radius) || s.radius <= 0) throw new Error(`${where}: the radius must be a positive number`);
    if (!Array.isArray(s.points) || s.points.length === 0) throw new Error(`${where}: no points`);
    points += s.points.length;
    if (points > MAX_POINTS) throw new Error(`more than ${MAX_POINTS} points in all`);
    for (const p of s.points) {
      if (!Array.isArray(p) || p.length !== 2 || !p.every(Number.isFinite)) {
        throw new Error(`${where}: every point must be two numbers [x, y]`);
      }
    }
    return { mode: s.mode, radius: s.radius, snap: s.snap !== false, points: s.points.map(([x, y]) => [x, y]) };
  });
}
