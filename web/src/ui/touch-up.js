// Each photo's touch-up edits turned into its result: the stroke list goes to the engine worker,
// which replays it on the full-resolution alpha (bgcut.edits), and the edited cut-out replaces
// job.result's blob and bitmap, so every download, copy and ZIP takes the edited file.
import { EditHistory, strokesFromJSON } from './edit-history.js';

// The worker's messages start with the reason in Python's words; people need only the reason.
const reason = (err) => String(err?.message || err).replace(/^[\w.]*Error:\s*/, '');

/**
 * remover(): Promise of the page's BgRemover; onResult(job): the job's result changed (show it);
 * onChange(job): its edit history changed (undo/redo availability); say(text): a status line.
 */
export function createTouchUp({ remover, onResult, onChange = () => {}, say = () => {} }) {
  // Results per stroke: a stroke is pushed once and its predecessors never change after, so the
  // last applied stroke names the whole list (WeakMap: strokes dropped by a new branch go too).
  function fresh(job, r, options) {
    const prev = job.edits;
    const sameSize = prev && prev.history.width === r.width && prev.history.height === r.height;
    job.edits = {
      history: sameSize ? prev.history : new EditHistory(r.width, r.height),
      base: r.blob,
      results: new WeakMap(),
      editKey: r.editKey,
      options,
      controller: null,
      pending: false,
    };
    return job.edits;
  }

  async function setResult(job, blob, edited) {
    const cutout = await createImageBitmap(blob);
    job.result.cutout?.close();
    job.result = { ...job.result, blob, cutout, edited };
    job.export = null;
    job.mask = null;
    await onResult(job);
  }

  async function editedBlob(job, ed, signal) {
    const r = await (await remover()).applyEdits(job.file, ed.history.toJSON(),
      { ...ed.options, editKey: ed.editKey, signal });
    ed.editKey = r.editKey;
    return r.blob;
  }

  // Shows the result for the history's current step: kept from before, or computed by the worker.
  async function render(job) {
    const ed = job.edits;
    if (!ed || !job.result) return;
    const { version } = ed.history;
    const last = ed.history.applied.at(-1);
    ed.controller?.abort();
    ed.controller = null;
    let blob = last ? ed.results.get(last) : ed.base;
    if (!blob) {
      const controller = new AbortController();
      ed.controller = controller;
      ed.pending = true;
      onChange(job);
      try {
        blob = await editedBlob(job, ed, controller.signal);
        ed.results.set(last, blob);
      } catch (err) {
        if (err?.name !== 'AbortError') say(`Could not apply the edits to ${job.name}: ${reason(err)}`);
        return;
      } finally {
        if (ed.controller === controller) {
          ed.controller = null;
          ed.pending = false;
        }
      }
    }
    if (job.edits !== ed || ed.history.version !== version) return; // a newer step is on its way
    ed.pending = true;
    try {
      await setResult(job, blob, Boolean(last));
    } finally {
      ed.pending = false;
      onChange(job);
    }
  }

  return {
    /** The history of a finished job (null before its first result). */
    history: (job) => job.edits?.history ?? null,
    /** True while the job's edited result is being computed. */
    pending: (job) => Boolean(job.edits?.pending),

    /**
     * A fresh result from the queue (first run, Retry or Run again): it becomes the unedited base,
     * and any strokes kept are applied to it before anyone sees it. Returns the result to show.
     */
    async afterRun(job, r, options, signal) {
      const ed = fresh(job, r, options);
      const last = ed.history.applied.at(-1);
      if (!last) return r;
      const blob = await editedBlob(job, ed, signal);
      ed.results.set(last, blob);
      return { ...r, blob, edited: true };
    },

    /** "Run again": asks once whether photos that have strokes keep them. */
    beforeRerun(jobs) {
      const edited = jobs.filter((j) => j.edits?.history.strokes.length);
      if (!edited.length) return;
      const keep = window.confirm(edited.length === 1
        ? `Keep your touch-up strokes on ${edited[0].name} when it runs again?\n\nOK keeps them; Cancel starts from the new cut-out.`
        : `Keep your touch-up strokes on ${edited.length} photos when they run again?\n\nOK keeps them; Cancel starts from the new cut-outs.`);
      if (keep) return;
      for (const job of edited) {
        job.edits.history.clear();
        onChange(job);
      }
    },

    addStroke(job, stroke) {
      job.edits.history.push(stroke);
      return render(job);
    },

    undo(job) {
      return job.edits?.history.undo() ? render(job) : null;
    },

    redo(job) {
      return job.edits?.history.redo() ? render(job) : null;
    },

    /** The edits file of the job's current step, as a Blob. */
    exportFile(job) {
      return new Blob([JSON.stringify(job.edits.history.toJSON())], { type: 'application/json' });
    },

    /** Replaces the job's strokes with a loaded edits file (Blob); rejects with a reason. */
    async importFile(job, file) {
      const { history } = job.edits;
      let data;
      try {
        data = JSON.parse(await file.text());
      } catch {
        throw new Error(`"${file.name}" is not an edits file (not JSON)`);
      }
      history.replace(strokesFromJSON(data, history.width, history.height));
      return render(job);
    },
  };
}
