/**
 * Serialises registrations, as the original's register lock does, but per host: work on every
 * host (a sync) runs alone, while registrations of different hosts run side by side and those
 * of one host one after another. Each waits only for what was asked for before it.
 */
export class RegistrationLock {
  /** The last work on every host, settled or not. */
  private everyHost: Promise<unknown> = Promise.resolve();
  /** The last work on each host since then. */
  private readonly hosts = new Map<string, Promise<unknown>>();

  /** Runs `task` after everything asked for before: for work that touches every host. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = Promise.all([this.everyHost, ...this.hosts.values()]).then(task);
    this.everyHost = run.catch(() => undefined);
    // Later work waits for `everyHost`, which waits for these.
    this.hosts.clear();
    return run;
  }

  /** Runs `task` after the work on every host and the work on `host` asked for before it. */
  forHost<T>(host: string, task: () => Promise<T>): Promise<T> {
    const run = Promise.all([this.everyHost, this.hosts.get(host)]).then(task);
    const tail = run.catch(() => undefined);
    this.hosts.set(host, tail);
    void tail.then(() => {
      if (this.hosts.get(host) === tail) this.hosts.delete(host);
    });
    return run;
  }
}
