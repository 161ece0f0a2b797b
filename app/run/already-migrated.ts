/**
 * A `migrate` run that finds the migration it would do already completed in the target (the
 * tool's own record, app/run/migration-status.ts, says `finished`): the operator left
 * `mongoToPostgresMigration.enabled` on and ran `helm upgrade` again (issue 14). The friendliest
 * safe answer is to touch nothing and succeed — a failed hook would fail an otherwise good
 * upgrade of the application — and to say in one log line what to do instead. Re-loading on
 * purpose stays possible with CONVERT_SKIP_EXISTING=true; checking the data with `mongo2pg verify`.
 */
export interface CompletedMigration {
  finishedAt: Date | null;
  updatedAt: Date;
  runs: number;
}

export interface AlreadyMigratedNotice {
  message: string;
  fields: Record<string, string | number>;
  /** For the Job annotation `mongo2pg.io/summary` and the final metrics. */
  summary: string;
}

/** Pure: the one log line (message and fields) and the run summary. `release` is RELEASE_NAME ('' when unknown). */
export function alreadyMigratedNotice(done: CompletedMigration, release: string): AlreadyMigratedNotice {
  const finishedAt = (done.finishedAt ?? done.updatedAt).toISOString();
  const upgrade = `helm upgrade ${release || '<release>'} <chart> --reuse-values --set mongoToPostgresMigration.enabled=false`;
  const action = `nothing was written; switch the migration hook off: ${upgrade} (\`mongo2pg verify\` checks the data; CONVERT_SKIP_EXISTING=true loads into it again on purpose)`;
  return {
    message: 'migration already completed',
    fields: { finished_at: finishedAt, runs: done.runs, action },
    summary: `already completed at ${finishedAt}: nothing to do, switch mongoToPostgresMigration.enabled off`,
  };
}
