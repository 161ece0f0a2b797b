/** A transform thread of the bulk phase (transform-pool.ts): batches in, COPY text out. */
import { parentPort, workerData } from 'node:worker_threads';
import { transformBatch, type BatchJob } from './bulk-batch.js';
import { KnownIds } from './integrity.js';
import { bulkDataSetsByName, serializeError, type WorkerSetup } from './transform-pool.js';

const setup = workerData as WorkerSetup;
const dataSet = bulkDataSetsByName(setup.config);
const known = KnownIds.fromSnapshot(setup.known);
const port = parentPort;
if (!port) throw new Error('transform-worker.ts runs as a worker thread only');

port.on('message', ({ id, job }: { id: number; job: BatchJob }) => {
  try {
    const output = transformBatch(job, dataSet(job.dataSet), known);
    // The text moves to the main thread without a copy (empty ones share one buffer and stay).
    port.postMessage({ id, output }, output.text.filter((t) => t.byteLength > 0).map((t) => t.buffer as ArrayBuffer));
  } catch (err) {
    port.postMessage({ id, error: serializeError(err) });
  }
});
