/** Retries an async operation a fixed number of times with a fixed delay, honouring abort. */
export interface RetryOptions {
  attempts: number;
  delayMs: number;
  signal?: AbortSignal;
  onRetry?: (attempt: number, err: unknown) => void;
  /** False for an error that another attempt cannot fix (e.g. wrong password): thrown at once. */
  retryable?: (err: unknown) => boolean;
  /**
   * Called every `everyMs` while an attempt or a wait runs and nothing else was said (onRetry
   * counts): an attempt longer than the progress interval still shows a line.
   */
  heartbeat?: { everyMs: number; beat: (attempt: number) => void };
}

/**
 * The latest time the retries can end after attempt `attempt` failed at `now`: every attempt
 * left takes at most its timeout, after a delay.
 */
export function giveUpBy(now: number, attempt: number, options: { attempts: number; delayMs: number; timeoutMs: number }): Date {
  const left = Math.max(0, options.attempts - attempt);
  return new Date(now + left * (options.delayMs + options.timeoutMs));
}

/** `attempt N of M, giving up by HH:MM:SSZ at the latest`, as the retry lines say it. */
export function attemptText(attempt: number, attempts: number, by: Date): string {
  return `attempt ${attempt} of ${attempts}, giving up by ${by.toISOString().slice(11, 19)}Z at the latest`;
}

export async function retry<T>(op: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let lastError: unknown;
  let current = 1;
  let timer: NodeJS.Timeout | undefined;
  const quiet = (): void => {
    if (!options.heartbeat) return;
    clearInterval(timer);
    const { everyMs, beat } = options.heartbeat;
    timer = setInterval(() => beat(current), everyMs);
    timer.unref();
  };
  quiet();
  try {
    for (let attempt = 1; attempt <= options.attempts; attempt++) {
      current = attempt;
      options.signal?.throwIfAborted();
      try {
        return await op(attempt);
      } catch (err) {
        lastError = err;
        if (attempt === options.attempts || options.retryable?.(err) === false) break;
        options.onRetry?.(attempt, err);
        quiet();
        await sleep(options.delayMs, options.signal);
      }
    }
  } finally {
    clearInterval(timer);
  }
  throw lastError;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
