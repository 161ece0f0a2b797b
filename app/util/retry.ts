/** Retries an async operation a fixed number of times with a fixed delay, honouring abort. */
export interface RetryOptions {
  attempts: number;
  delayMs: number;
  signal?: AbortSignal;
  onRetry?: (attempt: number, err: unknown) => void;
  /** False for an error that another attempt cannot fix (e.g. wrong password): thrown at once. */
  retryable?: (err: unknown) => boolean;
}

export async function retry<T>(op: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await op(attempt);
    } catch (err) {
      lastError = err;
      if (attempt === options.attempts || options.retryable?.(err) === false) break;
      options.onRetry?.(attempt, err);
      await sleep(options.delayMs, options.signal);
    }
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
