/**
 * Wakes idle relay workers: one per notification, so a burst of commits does not send every worker
 * after the same rows. A notification that finds no worker waiting is kept for the next one, so a
 * commit that lands while every worker is busy is picked up right after their batches.
 */
export class WakeSignal {
  private pending = false;
  private readonly waiting: Array<() => void> = [];

  /** Wakes one waiting worker, or the next one to wait. */
  notify(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.pending = true;
  }

  /** Wakes every waiting worker (stop). */
  notifyAll(): void {
    this.pending = true;
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** Resolves at the next notification, or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(wake);
        if (index >= 0) this.waiting.splice(index, 1);
        resolve();
      }, timeoutMs);
      this.waiting.push(wake);
    });
  }

  get waiters(): number {
    return this.waiting.length;
  }
}
