/** Trial counts and seeds of the heavy fault suite: TRIALS (default 10) and FAULT_SEED (default 1000). */
import { env } from 'node:process';

function positive(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

export const TRIALS = positive('TRIALS', 10);
export const FAULT_SEED = positive('FAULT_SEED', 1000);

/** The seeds of one kind of trial: distinct per kind, reproducible from FAULT_SEED. */
export function seeds(kind: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => FAULT_SEED + kind * 10_000 + i);
}
