/**
 * Builds the run's progress outputs from the configuration: log progress lines always, Pushgateway
 * metrics when PUSHGATEWAY_URL is set, Job annotations when running in a cluster with JOB_NAME set.
 */
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import { JobAnnotationsReporter } from './job-annotations.js';
import { kubeJobPatcher, kubeTarget } from './kube-job-patcher.js';
import type { LiveDisplay } from './live-display.js';
import { LogProgress } from './log-progress.js';
import { PushgatewayReporter } from './metrics.js';
import type { Reporter } from './reporter.js';
import { RunProgress } from './run-progress.js';
import { RunState } from './run-state.js';

export { RunProgress } from './run-progress.js';
export { LiveDisplay, liveDisplayWanted } from './live-display.js';

export interface ProgressDeps {
  config: Pick<Config, 'progress'>;
  logger: Logger;
  redact: Redactor;
  now?: () => number;
  /**
   * `all` (a migration): log lines, metrics, annotations. `local` (`mongo2pg verify`): log lines
   * and the terminal display only, so a check never overwrites the migration's metrics or annotations.
   */
  outputs?: 'all' | 'local';
  /** The live terminal display, when one is shown (live-display.ts). */
  display?: LiveDisplay;
}

/** Creates and starts the progress outputs. Never throws; an output that fails only logs. */
export function createProgress(deps: ProgressDeps): RunProgress {
  const { config, logger, redact } = deps;
  const now = deps.now ?? Date.now;
  const reporters: Reporter[] = [];
  // The state is shared: RunProgress owns it, reporters read it. Build it first, hand it around.
  const state = new RunState(now());
  reporters.push(new LogProgress(logger, state, config.progress.interval, now));
  if (deps.display) {
    deps.display.attach(state);
    reporters.push(deps.display);
  }
  if (deps.outputs === 'local') {
    const progress = new RunProgress(reporters, logger, now, state);
    progress.start();
    return progress;
  }

  if (config.progress.pushgatewayUrl !== '') {
    reporters.push(new PushgatewayReporter({ url: config.progress.pushgatewayUrl, release: config.progress.release, intervalMs: config.progress.pushInterval, now }, state, logger, redact));
  } else {
    logger.debug('metrics off: PUSHGATEWAY_URL is not set');
  }

  const target = kubeTarget(config.progress);
  if (target.enabled) {
    reporters.push(new JobAnnotationsReporter(kubeJobPatcher(target), state, logger, redact, config.progress.annotationInterval, now));
  } else if (config.progress.jobName !== '') {
    logger.info('Job annotations off', { reason: target.reason });
  } else {
    logger.debug('Job annotations off', { reason: target.reason });
  }

  const progress = new RunProgress(reporters, logger, now, state);
  progress.start();
  return progress;
}
