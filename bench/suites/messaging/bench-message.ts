import { performance } from 'node:perf_hooks';

/**
 * The body every subject carries: a sequence number, the publisher's clock reading (performance.now();
 * publisher and consumer share the process, so no clock skew) and padding up to the message size.
 */
export interface BenchMessage {
  seq: number;
  sentAt: number;
  pad: string;
}

const pads = new Map<number, string>();

/** A message of about `bytes` of JSON, stamped now. */
export function benchMessage(seq: number, bytes: number): BenchMessage {
  let pad = pads.get(bytes);
  if (pad === undefined) {
    const envelope = JSON.stringify({ seq: 99_999, sentAt: 123_456.789_012, pad: '' }).length;
    pad = 'x'.repeat(Math.max(0, bytes - envelope));
    pads.set(bytes, pad);
  }
  return { seq, sentAt: performance.now(), pad };
}

export function encodeBenchMessage(message: BenchMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}

export function decodeBenchMessage(content: Buffer): BenchMessage {
  return JSON.parse(content.toString()) as BenchMessage;
}
