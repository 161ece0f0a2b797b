/** One output of the run's progress (log lines, Job annotations, Pushgateway metrics). */
export type ProgressEvent = 'phase' | 'task-started' | 'task-progress' | 'task-finished' | 'verify-progress';

export interface Reporter {
  readonly name: string;
  /** Starts periodic work (timers are unref'd: they never keep the process alive). */
  start(): void;
  /** The shared RunState changed. Must be cheap and must not throw; slow work is deferred. */
  changed(event: ProgressEvent, task?: string): void;
  /** The run has ended (RunState carries the result): send the final update and stop. */
  finish(): Promise<void>;
  /** How the final update went, for outputs that send somewhere (the Pushgateway). */
  finalStatus?(): FinalStatus;
}

export interface FinalStatus {
  /** `pending`: the final update has not been answered (yet). */
  state: 'pushed' | 'failed' | 'pending';
  url: string;
  error?: string;
}
