/**
 * Where bulk batches are decoded and transformed: on CONVERT_BULK_THREADS worker threads, so the
 * CPU-heavy part of the bulk phase (BSON decoding, transforms, COPY text) runs on other cores than
 * the main thread that reads the cursors and feeds COPY; or inline with 0 threads. Each thread
 * builds the bulk data sets from the configuration itself (functions cannot cross threads) and
 * gets a copy of the keys known for reference checks, which do not change during the bulk phase.
 */
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/load.js';
import { bulkDataSetList } from '../datasets/bulk/index.js';
import type { DataSet } from '../datasets/types.js';
import { IntegrityError, InternalError, Mongo2pgError, SinkError, SourceError, errorMessage, type ErrorContext } from '../errors.js';
import { transformBatch, type BatchJob, type BatchOutput } from './bulk-batch.js';
import { KnownIds } from './integrity.js';
import type { RefKind } from './integrity.js';

export interface BatchRunner {
  /** Batches that may usefully be in flight at once. */
  readonly depth: number;
  run(job: BatchJob): Promise<BatchOutput>;
  close(): Promise<void>;
}

export interface WorkerSetup {
  config: Config;
  known: Map<RefKind, Set<string>>;
}

/** An error as it crosses a thread: structured cloning keeps only an Error's message. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  context?: ErrorContext;
  stack?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Mongo2pgError) return { name: err.name, message: err.message, code: err.code, context: err.context };
  if (err instanceof Error) return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  return { name: 'Error', message: String(err) };
}

/**
 * The typed error again, so the engine treats it exactly as if it had been thrown in its thread;
 * anything else (a bug) is an InternalError, which stops the run instead of being retried.
 */
export function reviveError(e: SerializedError): Error {
  const options = { context: e.context ?? {} };
  switch (e.code) {
    case 'INTEGRITY':
      return new IntegrityError(e.message, options);
    case 'SOURCE_READ':
      return new SourceError('SOURCE_READ', e.message, options);
    case 'SINK_WRITE':
      return new SinkError('SINK_WRITE', e.message, options);
    default: {
      const err = new InternalError(`transform thread: ${e.message}`, { context: { error: e.name } });
      if (e.stack) err.stack = `${err.stack ?? ''}\ncaused in the transform thread by: ${e.stack}`;
      return err;
    }
  }
}

/** Bulk data sets by name, as a transform thread builds them. */
export function bulkDataSetsByName(config: Config): (name: string) => DataSet {
  const byName = new Map(bulkDataSetList(config).map((d) => [d.name, d]));
  return (name) => {
    const dataSet = byName.get(name);
    if (!dataSet) throw new Error(`no bulk data set named ${name}`);
    return dataSet;
  };
}

export function createBatchRunner(config: Config, known: KnownIds): BatchRunner {
  const threads = config.convert.bulkThreads;
  return threads === 0 ? inlineRunner(config, known) : new ThreadPool(threads, { config, known: known.snapshot() });
}

function inlineRunner(config: Config, known: KnownIds): BatchRunner {
  const dataSet = bulkDataSetsByName(config);
  return {
    depth: 1,
    run: async (job) => {
      try {
        return transformBatch(job, dataSet(job.dataSet), known);
      } catch (err) {
        // As from a thread: typed errors as they are, anything else stops the run.
        throw err instanceof Mongo2pgError ? err : new InternalError(`transform: ${errorMessage(err)}`, { cause: err });
      }
    },
    close: async () => undefined,
  };
}

interface Pending {
  resolve(out: BatchOutput): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

type Reply = { id: number; output: BatchOutput } | { id: number; error: SerializedError };

class ThreadPool implements BatchRunner {
  readonly depth: number;
  private readonly threads: Thread[];
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;

  constructor(size: number, setup: WorkerSetup) {
    this.depth = size * 2;
    this.threads = Array.from({ length: size }, () => this.start(setup));
  }

  private start(setup: WorkerSetup): Thread {
    const thread: Thread = { worker: spawnWorker(setup), pending: new Map() };
    const fail = (err: Error): void => {
      this.failure ??= err;
      for (const p of thread.pending.values()) p.reject(err);
      thread.pending.clear();
    };
    thread.worker.on('message', (reply: Reply) => {
      const p = thread.pending.get(reply.id);
      if (!p) return;
      thread.pending.delete(reply.id);
      if ('error' in reply) p.reject(reviveError(reply.error));
      else p.resolve(reply.output);
    });
    thread.worker.on('error', (err) => fail(new InternalError(`a transform thread failed: ${err.message}`, { cause: err })));
    thread.worker.on('exit', (code) => {
      if (!this.closing) fail(new InternalError(`a transform thread exited unexpectedly (code ${code})`));
    });
    return thread;
  }

  run(job: BatchJob): Promise<BatchOutput> {
    if (this.failure) return Promise.reject(this.failure);
    const thread = this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise<BatchOutput>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      // The bytes move to the thread; the caller must not touch them afterwards.
      thread.worker.postMessage({ id, job }, [job.bytes.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}

function spawnWorker(workerData: WorkerSetup): Worker {
  // Built: the thread runs dist/engine/transform-worker.js, plain JavaScript. From source (tests,
  // benchmarks under tsx): the thread registers tsx itself, as a worker's loader hooks are its own.
  if (import.meta.url.endsWith('.js')) return new Worker(new URL('./transform-worker.js', import.meta.url), { workerData, execArgv: builtThreadExecArgv() });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./transform-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData });
}

/**
 * The process's node options for a built thread, without module loaders: plain JavaScript needs
 * none, and a TypeScript loader (the build imported from a tsx process, as the benchmark does)
 * slowed each thread's start. Unchanged (inherited, as Node checks them) when there is none.
 */
function builtThreadExecArgv(): string[] | undefined {
  const kept: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (/^(--import|--require|--loader|--experimental-loader|-r)$/.test(arg)) i++;
    else if (!/^--(import|require|loader|experimental-loader)=/.test(arg)) kept.push(arg);
  }
  return kept.length === args.length ? undefined : kept;
}
