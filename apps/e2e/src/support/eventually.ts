/**
 * Polls `read` until `done` holds, for effects that follow a saga's end asynchronously (a notification
 * sent after `order.confirmed`). No fixed sleeps: it returns as soon as the state is reached, and fails
 * with the last value read when the deadline passes.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 15_000, pollMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
