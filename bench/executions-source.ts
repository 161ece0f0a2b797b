/**
 * An in-process source of `testworkflowresults` documents for the executions benchmark, with the
 * engine's SourceDb interface (one organisation/environment, its environments document, its
 * executions collection). Like bench/bson-source.ts for usage records: documents are BSON bytes
 * copied from a few serialized templates with `_id` and the execution `id` patched in place, so
 * ids stay unique and ascending and the benchmark measures mongo2pg's pipeline, not a server.
 *
 *   small  a current, finished execution (fullExecution of the golden tests: 5 signatures, 2
 *          steps, small workflow and resolved workflow), ~3 KB of BSON
 *   large  a big resolved workflow (40 groups of 8 steps with env and args), 360 signatures
 *          nested two deep with a step result each, 20 outputs, 10 reports, ~225 KB of BSON
 */
import { BSON, type Document } from 'mongodb';
import type { FindOptions, SourceCollectionApi, SourceDb } from '../app/source/source-db.js';
import { scopedCollectionName } from '../app/source/collections.js';
import { BytesCursor } from '../test/helpers/bson-source.js';
import { at, fullExecution } from '../test/fixtures/testkube/documents.js';
import { copyWithId, idOf, rangeCollection } from './bson-source.js';

export type ExecutionSize = 'small' | 'large';

export const BENCH_ORG = 'tkcorg_000000000000bench';
export const BENCH_ENV = 'tkcenv_000000000000bench';
export const EXECUTIONS_COLLECTION = scopedCollectionName('testworkflowresults', BENCH_ORG, BENCH_ENV);

/** Placeholder for the execution id, patched per document (24 characters, like an ObjectId hex). */
const ID_PLACEHOLDER = 'ffffffffffffffffffffffff';

function step(group: number, i: number): Document {
  return {
    id: `r${group}x${i}`,
    name: `step ${i} of group ${group}`,
    run: {
      image: `registry.example.com/team/tool-${i % 5}:1.${group}.${i}`,
      env: Array.from({ length: 4 }, (_, k) => ({ name: `VAR_${k}`, value: `value-${group}-${i}-${k}` })),
      args: { value: ['--suite', `suite-${group}`, '--shard', String(i), '--reporter', 'junit'] },
    },
  };
}

function largeExecution(t: number): Document {
  const doc = fullExecution();
  const started = at('2025-03-01T10:11:14Z').getTime();
  const groups = Array.from({ length: 40 }, (_, g) => g);
  doc.signature = groups.map((g) => ({
    ref: `r${g}`, id: '', name: `group ${g}`, category: 'Parallel', optional: false, negative: false,
    children: Array.from({ length: 8 }, (_, i) => ({ ref: `r${g}x${i}`, id: '', name: `step ${i} of group ${g}`, category: 'Run shell command', optional: i === 7, negative: false, children: null })),
  }));
  const result = doc.result as Document;
  result.steps = Object.fromEntries(groups.flatMap((g) => [`r${g}`, ...Array.from({ length: 8 }, (_, i) => `r${g}x${i}`)]).map((ref, k) => [
    ref,
    { errormessage: k % 50 === 0 ? 'process exited with code 1' : '', status: k % 50 === 0 ? 'failed' : 'passed', exitcode: k % 50 === 0 ? 1 : 0, queuedat: new Date(started + k * 100), startedat: new Date(started + k * 100 + 10), finishedat: new Date(started + k * 100 + 90 + t) },
  ]));
  doc.output = Array.from({ length: 20 }, (_, i) => ({ ref: `r${i}x0`, name: `artifact-${i}`, value: { path: `reports/${i}/report.html`, size: 1000 + i, ok: true } }));
  doc.reports = Array.from({ length: 10 }, (_, i) => ({ ref: `r${i}x1`, kind: 'junit', file: `reports/${i}/junit.xml`, summary: { tests: 100 + i, passed: 99, failed: 1, skipped: 0, errored: 0, duration: 12345 + i } }));
  const resolved = doc.resolvedworkflow as Document;
  resolved.spec = { steps: groups.map((g) => ({ id: `r${g}`, name: `group ${g}`, steps: Array.from({ length: 8 }, (_, i) => step(g, i)) })) };
  return doc;
}

function template(size: ExecutionSize, t: number): Buffer {
  const doc: Document = size === 'small' ? fullExecution() : largeExecution(t);
  delete doc._id;
  delete doc.id;
  // One template in four is a legacy document without scheduledat, so the time repair runs too.
  if (t % 4 === 3) delete doc.scheduledat;
  // _id first (patched like the usage records'), the execution id second.
  return Buffer.from(BSON.serialize({ _id: idOf(t), id: ID_PLACEHOLDER, ...doc, number: t + 1 }));
}


/** Execution i's BSON bytes: `_id` idOf(i) and execution id its hex. */
export function executionBytesOf(size: ExecutionSize): (i: number) => Buffer {
  const templates = Array.from({ length: 16 }, (_, t) => template(size, t));
  const idAt = templates[0]?.indexOf(ID_PLACEHOLDER, 0, 'latin1') ?? -1;
  if (idAt < 0) throw new Error('the execution id placeholder is not in the template');
  return (i) => {
    const bytes = copyWithId(templates, i);
    bytes.write(idOf(i).toHexString(), idAt, 'latin1');
    return bytes;
  };
}

/** The environments collection of the benchmark's one organisation/environment. */
export function benchEnvironments(): SourceCollectionApi {
  const environment = Buffer.from(BSON.serialize({ _id: BENCH_ENV, organizationId: BENCH_ORG, name: 'bench' }));
  return {
    find: (_filter: Document, options: FindOptions = {}) => new BytesCursor(() => environment, 0, 1, options),
    countDocuments: async () => 1,
    estimatedDocumentCount: async () => 1,
  };
}

export function executionsSource(count: number, size: ExecutionSize): SourceDb {
  const executions = rangeCollection(count, executionBytesOf(size));
  const environments = benchEnvironments();
  return {
    collection(name: string) {
      if (name === EXECUTIONS_COLLECTION) return executions;
      if (name === 'environments') return environments;
      throw new Error(`the benchmark source has no collection ${name}`);
    },
    listCollections: () => ({ toArray: async () => [{ name: 'environments' }, { name: EXECUTIONS_COLLECTION }] }),
  };
}

/** Average BSON size of a document of this size class, for the report. */
export function executionBytes(size: ExecutionSize): number {
  return template(size, 0).byteLength;
}

