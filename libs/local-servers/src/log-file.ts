import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/**
 * The last `lines` lines of a server's log file, readable: RabbitMQ's JSON lines (our rabbitmq.conf
 * sets `log.console.formatter = json`) become "time [level] message".
 */
export function logTail(file: string, lines = 40): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  const size = statSync(file).size;
  const length = Math.min(size, 64 * 1024);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8').split('\n').filter(Boolean).slice(-lines).map(readableLogLine).join('\n');
}

export function readableLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as { time?: string; level?: string; msg?: string };
    return entry.msg === undefined
      ? line
      : `${entry.time ?? ''} [${entry.level ?? '?'}] ${entry.msg.trimEnd()}`;
  } catch {
    return line;
  }
}

/** Calls `onLine` with each line appended to `file` from now on, until `stop()`. */
export function followLog(file: string, onLine: (line: string) => void, intervalMs = 250): { stop(): void } {
  let offset = existsSync(file) ? statSync(file).size : 0;
  let partial = '';
  const poll = () => {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size < offset) offset = 0; // truncated by a restart
    if (size === offset) return;
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    const text = partial + buffer.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line) onLine(readableLogLine(line));
  };
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      poll();
    },
  };
}
