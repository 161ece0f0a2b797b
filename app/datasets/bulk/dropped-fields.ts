/**
 * Execution fields that reach no PostgreSQL column, split into the expected ones (documented:
 * Testkube's schema has no column for them, or Testkube itself ignores them) and the unexpected
 * ones (keys no Go field takes). Pure; the counts come from test-workflow-executions.ts.
 */
import type { DroppedFields } from './test-workflow-executions.js';
import type { DropReason } from '../../transform/testkube/index.js';

/** Where the expected drops are listed and explained. */
export const DROPPED_FIELDS_DOC = 'docs/testkube-executions.md#fields-not-stored';

/** `not-stored` (no column, fact sheet §6) and `legacy-field` (§1a) are documented losses. */
const EXPECTED: ReadonlySet<DropReason> = new Set<DropReason>(['not-stored', 'legacy-field']);

export interface DroppedFieldsSplit {
  expected: Record<string, number>;
  unexpected: Record<string, number>;
}

/** Keys look like `workflow.sync (not-stored)`; a key without a known reason counts as unexpected. */
export function splitDroppedFields(dropped: DroppedFields): DroppedFieldsSplit {
  const split: DroppedFieldsSplit = { expected: {}, unexpected: {} };
  for (const [key, count] of dropped) {
    const reason = /\(([a-z-]+)\)$/.exec(key)?.[1] as DropReason | undefined;
    const side = reason !== undefined && EXPECTED.has(reason) ? split.expected : split.unexpected;
    side[key] = (side[key] ?? 0) + count;
  }
  return split;
}
