/**
 * A counting semaphore with a wait timeout: it bounds the memory held by unconfirmed publishes, and
 * gives callers backpressure (they wait) before it gives them an error (the wait timed out).
 */
export class PublishSlots {
  private inUse = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be >= 1, got ${capacity}`);
  }

  get used(): number {
    return this.inUse;
  }

  /** Resolves true with a slot taken, or false when none freed up within `timeoutMs`. */
  acquire(timeoutMs: number): Promise<boolean> {
    if (this.inUse < this.capacity) {
      this.inUse++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(true); // the releasing caller handed its slot over: inUse is unchanged
      };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        resolve(false);
      }, timeoutMs);
      this.waiting.push(grant);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inUse--;
  }
}
