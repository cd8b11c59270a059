// The batch: files wait their turn, run one at a time through the remover, and can be cancelled
// (queued or running), retried after a failure, or run again with new settings.

let nextId = 1;

export class Queue {
  /**
   * run(job, signal) -> Promise of the job's result; onChange(job) after every state change.
   * States: 'queued' | 'working' | 'done' | 'error' | 'cancelled'.
   */
  constructor({ run, onChange }) {
    this.run = run;
    this.onChange = onChange;
    this.jobs = [];
    this.waiting = [];
    this.active = null;
  }

  add(file) {
    const job = { id: nextId++, file, name: file.name || 'pasted image', state: 'queued', result: null, error: null };
    this.jobs.push(job);
    this.#enqueue(job);
    return job;
  }

  cancel(job) {
    if (job.state === 'queued') {
      this.waiting = this.waiting.filter((j) => j !== job);
      this.#set(job, 'cancelled');
    } else if (job.state === 'working') {
      job.controller.abort();
    }
  }

  cancelAll() {
    for (const job of [...this.waiting]) this.cancel(job);
    if (this.active) this.cancel(this.active);
  }

  /** Run a failed, cancelled or finished job again (with the settings current at its turn). */
  retry(job) {
    if (job.state === 'queued' || job.state === 'working') return;
    this.#enqueue(job);
  }

  remove(job) {
    this.cancel(job);
    this.jobs = this.jobs.filter((j) => j !== job);
  }

  counts() {
    const c = { total: this.jobs.length, queued: 0, working: 0, done: 0, error: 0, cancelled: 0 };
    for (const j of this.jobs) c[j.state] += 1;
    return c;
  }

  #set(job, state) {
    job.state = state;
    this.onChange(job);
  }

  #enqueue(job) {
    job.error = null;
    this.waiting.push(job);
    this.#set(job, 'queued');
    this.#pump();
  }

  async #pump() {
    if (this.active) return;
    const job = this.waiting.shift();
    if (!job) return;
    this.active = job;
    job.controller = new AbortController();
    this.#set(job, 'working');
    try {
      job.result = await this.run(job, job.controller.signal);
      this.#set(job, 'done');
    } catch (err) {
      if (err?.name === 'AbortError') {
        this.#set(job, 'cancelled');
      } else {
        job.error = err?.message || String(err);
        this.#set(job, 'error');
      }
    } finally {
      this.active = null;
      this.#pump();
    }
  }
}
