/**
 * Runs tasks at most `limit` at a time, in the order given, never two at once that share a
 * resource (a task waits while an earlier-started one holds any of its resources; later tasks
 * that share nothing may pass it). After a failure no task starts; the running ones finish, then
 * the first failure is thrown.
 */
export async function runDisjoint<T>(tasks: readonly T[], limit: number, resources: (task: T) => readonly string[], run: (task: T) => Promise<void>): Promise<void> {
  const waiting = [...tasks];
  const held = new Set<string>();
  const running = new Set<Promise<void>>();
  let failed = false;
  let failure: unknown;
  while (waiting.length > 0 || running.size > 0) {
    for (let i = 0; !failed && i < waiting.length && running.size < Math.max(1, limit); ) {
      const task = waiting[i] as T;
      const needs = resources(task);
      if (needs.some((r) => held.has(r))) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      for (const r of needs) held.add(r);
      const p: Promise<void> = run(task)
        .catch((err: unknown) => {
          if (!failed) failure = err;
          failed = true;
        })
        .finally(() => {
          for (const r of needs) held.delete(r);
          running.delete(p);
        });
      running.add(p);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  if (failed) throw failure;
}
