// Each finished photo's file for the current look (format, background, size), made once per look
// and kept on the job (job.export, which a new result or a touch-up clears). A look change bumps
// the generation, so a file rendered for an older look is never shown or downloaded.
import { renderExport } from './export.js';

export class ExportCache {
  generation = 0;

  // A new look: every kept file is stale from now on.
  invalidate() {
    this.generation += 1;
    return this.generation;
  }

  // look: () => the current look, read again if it changes while rendering.
  async get(job, look) {
    // Loops when the look changes again while rendering, so a stale file is never kept.
    while (job.export?.generation !== this.generation) {
      const generation = this.generation;
      const out = await renderExport(job.result, look());
      if (generation !== this.generation) continue;
      const stale = job.export?.url;
      // Late, so a download or <img> that still uses the old URL can finish.
      if (stale) setTimeout(() => URL.revokeObjectURL(stale), 30_000);
      job.export = { ...out, generation, url: URL.createObjectURL(out.blob) };
    }
    return job.export;
  }

  forget(job) {
    if (job.export?.url) URL.revokeObjectURL(job.export.url);
  }
}
