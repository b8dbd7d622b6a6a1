/**
 * The paths an order can be sent down, and how a run mixes them. Each path is chosen by what the
 * services do deterministically (payment simulator rules, seeded stock), never by chance.
 */
export const OrderPaths = ['success', 'out-of-stock', 'declined', 'cancel', 'silent'] as const;
export type OrderPath = (typeof OrderPaths)[number];

export interface MixEntry {
  path: OrderPath;
  weight: number;
}

/** Weights as given (they need not add up to 100); entries with weight 0 are dropped. */
export type Mix = readonly MixEntry[];

/** `success=80,out-of-stock=5,declined=10,cancel=5` → entries; throws naming the bad part. */
export function parseMix(text: string): Mix {
  const entries: MixEntry[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z-]+)\s*=\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) throw new Error(`mix: "${part}" is not <path>=<weight>`);
    const [, name, rawWeight] = match;
    if (!(OrderPaths as readonly string[]).includes(name))
      throw new Error(`mix: unknown path "${name}" (known: ${OrderPaths.join(', ')})`);
    const path = name as OrderPath;
    if (entries.some((e) => e.path === path)) throw new Error(`mix: "${path}" given twice`);
    const weight = Number(rawWeight);
    if (weight > 0) entries.push({ path, weight });
  }
  if (entries.length === 0) throw new Error('mix: at least one path needs a positive weight');
  return entries;
}

export function formatMix(mix: Mix): string {
  return mix.map((e) => `${e.path}=${e.weight}`).join(',');
}

/**
 * Smooth weighted round-robin (as nginx balances upstreams): deterministic, and every window of
 * `sum(weights)` orders holds each path exactly `weight` times, spread out rather than in blocks, so a
 * short run or one step of a ramp still gets the intended mix.
 */
export class MixPicker {
  private readonly current: number[];
  private readonly total: number;

  constructor(private readonly mix: Mix) {
    if (mix.length === 0) throw new Error('MixPicker needs at least one path');
    this.current = mix.map(() => 0);
    this.total = mix.reduce((sum, e) => sum + e.weight, 0);
  }

  next(): OrderPath {
    let best = 0;
    for (let i = 0; i < this.mix.length; i++) {
      this.current[i] += this.mix[i].weight;
      if (this.current[i] > this.current[best]) best = i;
    }
    this.current[best] -= this.total;
    return this.mix[best].path;
  }
}
