#!/usr/bin/env node
/**
 * CLI entry: `mongo2pg [migrate|catch-up|preflight|verify|config] [flags]`. Owns the process: parses
 * configuration once, installs signal handling (first SIGTERM/SIGINT = graceful stop at the next
 * checkpoint, second = immediate exit), and maps every outcome to a documented exit code.
 */
import { resolve } from 'node:path';
import { ExitCode, InterruptedError, Mongo2pgError, VerificationError, errorMessage, isMongo2pgError } from './errors.js';
import { describeConfig, helpText, loadConfig, parseArgs } from './config/load.js';
import { HUMAN, createLogger, flushLogger, type Logger } from './log/logger.js';
import { redactor } from './log/redact.js';
import { SCHEMA_DIR, migrate } from './run/migrate.js';
import { preflightCommand } from './preflight/command.js';
import { preflightSettings } from './preflight/gate.js';
import { MigrationFailedError } from './run/outcome.js';
import { bulkDataSets, recordDataSets } from './datasets/registry.js';
import { LiveDisplay, createProgress, liveDisplayWanted } from './progress/index.js';
import { runSummaryLine, type DataSetStats } from './report/stats.js';
import { finalLine, type VerificationOutcome } from './report/final-line.js';
import { verifyCommand } from './verify/command.js';
import { catchUp, catchUpSummaryLine, type BulkCatchUpHandlers } from './run/catch-up.js';
import { catchUpBulkDataSet, catchUpExecutionSequences } from './catchup/bulk.js';

/** The bulk side of `catch-up` (issue 17, app/catchup/bulk.ts), injected into the orchestrator. */
const BULK_CATCH_UP: BulkCatchUpHandlers = { bulkDataSet: catchUpBulkDataSet, executionSequences: catchUpExecutionSequences };

const COMMANDS = ['migrate', 'catch-up', 'preflight', 'verify', 'config'] as const;
type Command = (typeof COMMANDS)[number];

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`mongo2pg: ${errorMessage(err)}\n`);
    return ExitCode.invalidConfig;
  }
  if (parsed.help) {
    process.stdout.write(`${helpText()}\n`);
    return ExitCode.ok;
  }
  const command = (parsed.command ?? 'migrate') as Command;
  if (!COMMANDS.includes(command)) {
    process.stderr.write(`mongo2pg: unknown command "${parsed.command}"; commands: ${COMMANDS.join(', ')}\n`);
    return ExitCode.invalidConfig;
  }

  let loaded;
  try {
    // eslint-disable-next-line no-restricted-properties -- the one place the environment is read
    loaded = loadConfig(parsed.flags, process.env, { requireConnections: command !== 'config' });
  } catch (err) {
    process.stderr.write(`mongo2pg: ${errorMessage(err)}\n`);
    return isMongo2pgError(err) ? err.exitCode : ExitCode.invalidConfig;
  }
  const { config } = loaded;
  if (command === 'config') {
    process.stdout.write(`${describeConfig(loaded).join('\n')}\n`);
    return ExitCode.ok;
  }

  const redact = redactor(config.secrets);
  // On a terminal with the text log: live bars below the log (never in JSON mode).
  const display = liveDisplayWanted({ isTTY: process.stdout.isTTY, logFormat: config.progress.logFormat, command }) ? new LiveDisplay(process.stdout) : undefined;
  const logger = createLogger(config, display?.logStream ?? process.stdout);
  const controller = new AbortController();
  // A signal can arrive after the run has stopped and closed its log: writing to the ended
  // logger would raise an unhandled 'error' and turn exit 130 into a crash.
  let logClosed = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const open = !logClosed;
    if (controller.signal.aborted) {
      if (open) logger.error('second signal: exiting now', { signal });
      process.exit(ExitCode.interrupted);
    }
    if (open) logger.warn('signal received: stopping at the next checkpoint (send again to exit at once)', { signal });
    controller.abort(new InterruptedError(`interrupted by ${signal}`));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  // Each line of a statistics block or the summary table is its own log line (one JSON object per
  // line in JSON mode), tagged so readers can pick them out or skip them.
  const print = (text: string, meta: { kind: 'statistics' | 'summary'; task?: string } = { kind: 'statistics' }): void => {
    for (const line of text.split('\n')) logger.info(line, { ...meta });
  };
  const started = Date.now();
  /** The run's last line: where the reports are, the verification result, the final metrics push. */
  const logFinal = (ok: boolean, exitCode: number, stats: readonly DataSetStats[], verification: VerificationOutcome, note?: string): void => {
    const skippedNote = !config.convert.verify ? 'CONVERT_VERIFY=false' : config.convert.dryRun ? 'dry run' : undefined;
    const metrics = progress?.metricsStatus() ?? null;
    const verificationNote = verification === 'skipped' || verification === 'not-run' ? (note ?? skippedNote) : undefined;
    const line = finalLine({ ok, exitCode, reportDir: resolve(config.convert.workDir || process.cwd()), stats, verification, ...(verificationNote ? { verificationNote } : {}), metrics: metrics ?? { state: 'off' } });
    (ok ? logger.info.bind(logger) : logger.error.bind(logger))(line.message, { ...line.fields, [HUMAN]: line.text });
  };
  const progress = command === 'migrate' || command === 'catch-up' ? createProgress({ config, logger, redact, ...(display ? { display } : {}) }) : undefined;
  progress?.plan([...recordDataSets(config), ...bulkDataSets(config)].map((d) => d.name));
  // `verify` on its own: progress lines (and the terminal display), no metrics or annotations.
  const checking = command === 'verify' ? createProgress({ config, logger, redact, outputs: 'local', ...(display ? { display } : {}) }) : undefined;
  try {
    if (command === 'preflight') {
      await preflightCommand({ config, logger, signal: controller.signal, schemaDir: SCHEMA_DIR });
      return ExitCode.ok;
    }
    if (command === 'migrate') {
      // What configuration alone can refuse is refused before connecting (and retrying).
      preflightSettings(config);
      const result = await migrate({ config, logger, redact, signal: controller.signal, print, ...(progress ? { progress } : {}) });
      if (result.alreadyCompleted) {
        await progress?.runFinished({ ok: true, summary: result.alreadyCompleted.summary, stats: [] });
        logFinal(true, ExitCode.ok, [], 'skipped', 'nothing migrated: the target already holds the completed migration');
        return ExitCode.ok;
      }
      const summary = runSummaryLine(true, result.stats, Date.now() - started);
      logger.info('migration finished successfully', { summary });
      await progress?.runFinished({ ok: true, summary, stats: result.stats });
      logFinal(true, ExitCode.ok, result.stats, result.verification ?? 'not-run');
      return ExitCode.ok;
    }
    if (command === 'catch-up') {
      preflightSettings(config);
      const result = await catchUp({ config, logger, redact, signal: controller.signal, print, bulk: BULK_CATCH_UP, ...(progress ? { progress } : {}) });
      if (result.alreadyCompleted) {
        await progress?.runFinished({ ok: true, summary: `already completed at ${result.alreadyCompleted}: nothing was written`, stats: [] });
        return ExitCode.ok;
      }
      const summary = catchUpSummaryLine(true, result.counts, Date.now() - started, config.convert.dryRun);
      logger.info(config.convert.dryRun ? 'catch-up dry run finished: nothing was written' : 'catch-up finished successfully', { summary });
      await progress?.runFinished({ ok: true, summary, stats: result.stats });
      return ExitCode.ok;
    }
    if (command === 'verify') {
      checking?.phase('verify');
      try {
        await verifyCommand({ config, logger, signal: controller.signal, print, ...(checking ? { onProgress: (d: string, n: number, total: number | null) => checking.verifyProgress(d, n, total) } : {}) });
        await checking?.runFinished({ ok: true, summary: 'verification passed', stats: [] });
      } catch (err) {
        await checking?.runFinished({ ok: false, summary: 'verification failed', stats: [] });
        throw err;
      }
      return ExitCode.ok;
    }
    throw new Mongo2pgError('CONFIG_INVALID', ExitCode.invalidConfig, `command "${command}" is not available in this build yet`);
  } catch (err) {
    const failure = controller.signal.aborted ? (controller.signal.reason as unknown) : err;
    const code = reportFailure(logger, failure, redact.text);
    if (progress) {
      const stats = failure instanceof MigrationFailedError ? failure.stats : progress.finishedStats();
      await progress.runFinished({ ok: false, summary: runSummaryLine(false, stats, Date.now() - started, redact.text(errorMessage(failure))), stats });
      const verification = failure instanceof VerificationError ? 'failed' : failure instanceof MigrationFailedError ? failure.verification : 'not-run';
      if (command === 'migrate') logFinal(false, code, stats, verification, verification === 'not-run' ? 'the run stopped before it' : undefined);
    }
    return code;
  } finally {
    logClosed = true;
    await flushLogger(logger);
  }
}

function reportFailure(logger: Logger, err: unknown, redactText: (s: string) => string): number {
  if (isMongo2pgError(err)) {
    logger.error(redactText(err.message), { code: err.code, exit_code: err.exitCode, ...err.context });
    return err.exitCode;
  }
  logger.error(`unexpected error: ${redactText(errorMessage(err))}`, { stack: err instanceof Error ? redactText(err.stack ?? '') : undefined });
  return ExitCode.unexpected;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Exit now rather than when the event loop drains: a signal that arrives while Node tears the
    // process down is no longer handled and would end it by the signal (143) instead of `code`.
    // Everything the run owes is done by now (log flushed, final progress awaited with its timeout).
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`mongo2pg: fatal: ${errorMessage(err)}\n`);
    process.exitCode = ExitCode.unexpected;
  },
);
