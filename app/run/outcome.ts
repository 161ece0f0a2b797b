import { Mongo2pgError, ExitCode } from '../errors.js';
import type { VerificationOutcome } from '../report/final-line.js';
import type { DataSetStats } from '../report/stats.js';

/** The run completed but some records failed; they are in the error reports. */
export class MigrationFailedError extends Mongo2pgError {
  constructor(readonly stats: DataSetStats[], message: string, readonly verification: VerificationOutcome = 'not-run') {
    super('MIGRATION_INCOMPLETE', ExitCode.migrationFailed, message);
  }
}
