/**
 * The log lines about execution fields that were not stored: expected drops (documented, nothing
 * to do) at info level and marked as such, unexpected ones (fields Testkube does not know) as a
 * warning. Both point at the section of the documentation that lists them.
 */
import { DROPPED_FIELDS_DOC, splitDroppedFields } from '../datasets/bulk/dropped-fields.js';
import type { DroppedFields } from '../datasets/bulk/test-workflow-executions.js';
import { HUMAN, type Logger } from '../log/logger.js';

const list = (fields: Record<string, number>): string => Object.entries(fields).map(([k, n]) => `${k} ×${n}`).join(', ');

export function logDroppedExecutionFields(logger: Logger, dropped: DroppedFields): void {
  const { expected, unexpected } = splitDroppedFields(dropped);
  if (Object.keys(expected).length > 0) {
    logger.info('execution fields with no PostgreSQL column were not stored, as expected', {
      fields: expected,
      expected: true,
      documented_in: DROPPED_FIELDS_DOC,
      [HUMAN]: `expected: execution fields Testkube's PostgreSQL schema has no column for were not stored (${list(expected)}); the executions migrated; see ${DROPPED_FIELDS_DOC}`,
    });
  }
  if (Object.keys(unexpected).length > 0) {
    logger.warn('execution fields unknown to Testkube were not stored', {
      fields: unexpected,
      expected: false,
      documented_in: DROPPED_FIELDS_DOC,
      [HUMAN]: `execution fields no Testkube field takes were not stored (${list(unexpected)}): Testkube never read them either; the executions migrated; check the source if these fields should hold data; see ${DROPPED_FIELDS_DOC}`,
    });
  }
}
