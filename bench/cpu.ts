/**
 * CPU time the whole machine spent busy (every process: the loader, its threads, PostgreSQL), from
 * /proc/stat, in seconds; null where there is no /proc/stat. On a machine running nothing else, the
 * difference over a load is what that load cost in CPU, wherever it ran.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc/stat, 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export function machineBusySeconds(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  // cpu  user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}
