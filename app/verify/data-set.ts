/**
 * Verification of one data set, generic over the DataSet interface: every source record is
 * re-transformed (all of them up to VerifyOptions.fullLimit, else a spread sample; after a
 * catch-up, the records it wrote plus the sample: VerifyOptions.changed) and its rows
 * are looked up by each table's conflict key and compared column by column with PostgreSQL's
 * types. A record is accounted for when its rows are in the target (migrated), or when an error
 * report names it and its row is not there (failed or skipped). Anything else is a problem.
 *
 * A report line naming a record whose rows are in the target (a later run migrated it) counts as
 * migrated; a reported record whose key holds a different row (a duplicate id that lost) counts as
 * reported. Exploding data sets (one record per array item) are always compared in full.
 */
import type { Document } from '../source/bson.js';
import type { DataSet, PgValue, SourceCollection, TableRows } from '../datasets/types.js';
import { transformContext } from '../engine/bulk-batch.js';
import { sourceCollections } from '../engine/scopes.js';
import { errorMessage } from '../errors.js';
import { compareRows, type RowComparison } from './compare-rows.js';
import { expectationOf, shapeOf, trackKey, type ChangedRecords, type VerifyContext } from './context.js';
import { readReportedRecords, type ReportedRecord, type ReportedRecords } from './reports.js';
import { differingColumns } from './reproducible.js';
import { checkSourceJson } from './source-json.js';
import { allRecords, fetchReportedRecord, listedRecords, sampledRecords, type SourceRecord } from './sources.js';
import type { DataSetVerification, Problem } from './types.js';

/** Records transformed twice to find non-reproducible columns. */
const PROBES = 3;
/** Longest value text quoted in a problem. */
const QUOTE = 200;

type Outcome = 'migrated' | 'failed' | 'skipped' | 'lost';

interface Item {
  id: string;
  source: SourceCollection;
  record: Document;
  reported: ReportedRecord | undefined;
  output?: TableRows[];
  error?: unknown;
}

export function quote(text: string | null | undefined): string {
  if (text === null || text === undefined) return 'NULL';
  return text.length > QUOTE ? `${JSON.stringify(text.slice(0, QUOTE))}… (${text.length} characters)` : JSON.stringify(text);
}

class DataSetRun {
  readonly result: DataSetVerification;
  private readonly uncompared = new Map<string, Set<number>>();
  private probes = 0;
  /** Records whose `extra` was checked against the source's own Extended JSON. */
  private jsonChecked = 0;
  /** Main-table keys claimed by a record found equal, so two records cannot claim one row. */
  private readonly claimed = new Set<string>();

  constructor(private readonly vctx: VerifyContext, private readonly dataSet: DataSet, mode: 'full' | 'sample' | 'changed') {
    this.result = { name: dataSet.name, mode, source: 0, migrated: 0, failed: 0, skipped: 0, compared: 0, nonReproducible: [], problems: [], moreProblems: 0, durationMs: 0 };
  }

  problem(p: Omit<Problem, 'dataSet'>): void {
    if (this.result.problems.length < this.vctx.options.maxProblems) this.result.problems.push({ dataSet: this.dataSet.name, ...p });
    else this.result.moreProblems++;
    if (p.table) {
      const t = this.vctx.tables.get(p.table);
      if (t) t.rowProblems = true;
    }
  }

  /** Transform, and on the first records transform again to find non-reproducible columns. */
  prepare(rec: SourceRecord, reported: ReportedRecords): Item {
    const id = this.dataSet.idOf(rec.record);
    const item: Item = { id, source: rec.source, record: rec.record, reported: reported.get(rec.source.collection, id) };
    const tctx = transformContext(rec.source);
    try {
      item.output = this.dataSet.transform(rec.record, tctx);
    } catch (err) {
      item.error = err;
      return item;
    }
    if (this.probes < PROBES) {
      this.probes++;
      let again: TableRows[] | undefined;
      try {
        again = this.dataSet.transform(rec.record, tctx);
      } catch {
        again = [];
      }
      for (const [table, cols] of differingColumns(item.output, again)) {
        const set = this.uncompared.get(table) ?? new Set<number>();
        for (const c of cols) set.add(c);
        this.uncompared.set(table, set);
      }
    }
    return item;
  }

  /** Compares a batch of items; returns each item's outcome. */
  async check(items: readonly Item[], accumulate: boolean): Promise<Outcome[]> {
    const perTable = new Map<string, { rows: PgValue[][]; owners: number[] }>();
    items.forEach((item, i) => {
      for (const part of item.output ?? []) {
        const entry = perTable.get(part.table) ?? { rows: [], owners: [] };
        for (const row of part.rows) {
          entry.rows.push(row);
          entry.owners.push(i);
        }
        perTable.set(part.table, entry);
      }
    });
    // comparisons[item][table] = that item's rows' comparisons in that table
    const comparisons: Array<Map<string, Array<{ row: PgValue[]; c: RowComparison }>>> = items.map(() => new Map());
    for (const [table, { rows, owners }] of perTable) {
      const spec = this.dataSet.tables.find((t) => t.table === table);
      if (!spec) {
        this.problem({ kind: 'extra', table, message: `the transform produced rows for table ${table}, which the data set does not declare` });
        continue;
      }
      const shape = await shapeOf(this.vctx, spec);
      const results = await compareRows(this.vctx.pool, shape, rows, this.uncompared.get(table) ?? new Set());
      results.forEach((c, j) => {
        const byTable = comparisons[owners[j] as number] as Map<string, Array<{ row: PgValue[]; c: RowComparison }>>;
        const list = byTable.get(table) ?? [];
        list.push({ row: rows[j] as PgValue[], c });
        byTable.set(table, list);
      });
    }
    const outcomes = items.map((item, i) => this.classify(item, comparisons[i] as Map<string, Array<{ row: PgValue[]; c: RowComparison }>>, accumulate));
    await this.checkSourceJson(items, outcomes);
    return outcomes;
  }

  /** The independent check of free-form values (source-json.ts), on up to sampleSize migrated records. */
  private async checkSourceJson(items: readonly Item[], outcomes: readonly Outcome[]): Promise<void> {
    const room = this.vctx.options.sampleSize - this.jsonChecked;
    if (room <= 0) return;
    const samples = items.flatMap((item, i) => (outcomes[i] === 'migrated' && item.output ? [{ id: item.id, collection: item.source.collection, record: item.record, output: item.output }] : [])).slice(0, room);
    this.jsonChecked += samples.length;
    for (const p of await checkSourceJson(this.vctx, this.dataSet, samples)) this.problem(p);
  }

  private reportedOutcome(item: Item): Outcome | undefined {
    return item.reported?.outcome;
  }

  /** Differences of one row, including its non-reproducible columns. */
  private rowDifferences(table: string, row: PgValue[], c: RowComparison): Array<{ column: string; expected: string | null; actual: string | null; why?: string }> {
    const spec = this.dataSet.tables.find((t) => t.table === table);
    if (!spec) return [];
    const out: Array<{ column: string; expected: string | null; actual: string | null; why?: string }> = c.different.map((i) => ({
      column: spec.columns[i] as string,
      expected: c.expectedTexts?.[i] ?? null,
      actual: c.actualTexts?.[i] ?? null,
    }));
    if (c.uncompared) {
      const named = new Map(spec.columns.map((col, i) => [col, row[i] ?? null]));
      for (const [i, actual] of c.uncompared) {
        const column = spec.columns[i] as string;
        const expected = row[i] ?? null;
        const equivalent = this.vctx.equivalences.get(`${table}.${column}`);
        const why = equivalent ? equivalent(expected, actual, named) : (expected === null) === (actual === null) ? null : `expected ${expected === null ? 'NULL' : 'a value'}, found ${actual === null ? 'NULL' : 'a value'}`;
        if (why !== null) out.push({ column, expected: expected === null ? null : '(not reproducible)', actual: actual === null ? null : '(stored value)', why });
      }
    }
    return out;
  }

  private classify(item: Item, byTable: Map<string, Array<{ row: PgValue[]; c: RowComparison }>>, accumulate: boolean): Outcome {
    const base = { id: item.id, collection: item.source.collection };
    const reported = this.reportedOutcome(item);
    if (item.error !== undefined) {
      if (reported) return reported;
      this.problem({ kind: 'missing', ...base, message: `record ${item.id} (${item.source.collection}) does not transform (${errorMessage(item.error)}) and no error report names it` });
      return 'lost';
    }
    const [mainSpec] = this.dataSet.tables;
    const main = mainSpec ? (byTable.get(mainSpec.table) ?? []) : [];
    const refused = main.find((m) => m.c.refused !== undefined);
    if (refused) {
      if (reported) return reported;
      this.problem({ kind: 'refused', ...base, table: mainSpec?.table, message: `record ${item.id}: PostgreSQL refuses the transform's value (${refused.c.refused}) and no error report names it` });
      return 'lost';
    }
    const absent = main.find((m) => !m.c.found);
    if (absent) {
      if (reported) return reported;
      this.problem({ kind: 'missing', ...base, table: mainSpec?.table, key: absent.c.key ?? undefined, message: `record ${item.id} (${item.source.collection}) is not in ${mainSpec?.table} (key ${absent.c.key}) and no error report names it` });
      return 'lost';
    }
    const mainDiffs = main.map((m) => this.rowDifferences(mainSpec?.table ?? '', m.row, m.c));
    if (mainDiffs.some((d) => d.length > 0)) {
      // The key holds another record's row (a duplicate id that lost), or this record's row is wrong.
      if (reported) return reported;
      // Not reported: the record's own row is wrong. It is there, so it counts as migrated.
      main.forEach((m, k) => {
        for (const d of mainDiffs[k] ?? []) this.problem({ kind: 'different', ...base, table: mainSpec?.table, key: m.c.key ?? undefined, column: d.column, expected: d.expected ?? undefined, actual: d.actual ?? undefined, message: `record ${item.id}: ${mainSpec?.table}.${d.column} (key ${m.c.key}) ${d.why ?? `is ${quote(d.actual)}, the transform gives ${quote(d.expected)}`}` });
      });
    }
    const keys = main.map((m) => m.c.key ?? '');
    if (keys.some((k) => this.claimed.has(k))) {
      if (reported) return reported;
      this.problem({ kind: 'duplicate', ...base, table: mainSpec?.table, key: keys[0], message: `record ${item.id} (${item.source.collection}) maps to the same ${mainSpec?.table} row (key ${keys[0]}) as another record, and no error report names it` });
      return 'lost';
    }
    for (const k of keys) this.claimed.add(k);
    this.result.compared++;
    for (const [table, list] of byTable) {
      if (table === mainSpec?.table) continue;
      for (const { row, c } of list) {
        if (c.refused !== undefined) this.problem({ kind: 'refused', ...base, table, message: `record ${item.id}: PostgreSQL refuses the transform's ${table} row (${c.refused})` });
        else if (!c.found) this.problem({ kind: 'missing', ...base, table, key: c.key ?? undefined, message: `record ${item.id}: its ${table} row (key ${c.key}) is missing` });
        else for (const d of this.rowDifferences(table, row, c)) this.problem({ kind: 'different', ...base, table, key: c.key ?? undefined, column: d.column, expected: d.expected ?? undefined, actual: d.actual ?? undefined, message: `record ${item.id}: ${table}.${d.column} (key ${c.key}) ${d.why ?? `is ${quote(d.actual)}, the transform gives ${quote(d.expected)}`}` });
      }
    }
    if (accumulate) {
      for (const [table, list] of byTable) {
        const spec = this.dataSet.tables.find((t) => t.table === table);
        if (!spec) continue;
        const t = expectationOf(this.vctx, spec, this.dataSet.name);
        for (const { c } of list) {
          if (t.rows !== undefined) t.rows++;
          if (t.digest !== undefined) t.digest += BigInt(c.hash ?? '0');
          trackKey(this.vctx, t, c.key);
        }
      }
    }
    return 'migrated';
  }

  finishTables(complete: boolean, mainRows: number): void {
    for (const [table, cols] of this.uncompared) {
      const spec = this.dataSet.tables.find((t) => t.table === table);
      if (!spec) continue;
      const t = expectationOf(this.vctx, spec, this.dataSet.name);
      for (const c of cols) {
        const column = spec.columns[c] as string;
        t.uncompared.add(column);
        this.result.nonReproducible.push({ table, column, check: this.vctx.equivalences.has(`${table}.${column}`) ? 'equivalence' : 'presence' });
      }
    }
    this.dataSet.tables.forEach((spec, i) => {
      const t = expectationOf(this.vctx, spec, this.dataSet.name);
      if (complete) return;
      // Sampled: the main table's rows are known from the counts, the others' are not.
      t.digest = undefined;
      t.keys = null;
      if (i === 0 && t.rows !== undefined) t.rows += mainRows;
      else t.rows = undefined;
    });
  }
}

/** The records a catch-up wrote, then the sample without them (a record is compared once: its row is claimed once). */
async function* changedThenSampled(vctx: VerifyContext, dataSet: DataSet, sources: readonly SourceCollection[], counts: ReadonlyArray<{ source: SourceCollection; count: number }>, changed: ChangedRecords): AsyncGenerator<SourceRecord> {
  const { db, options, signal } = vctx;
  const listed = new Set<string>();
  for await (const rec of listedRecords(db, dataSet, sources, changed, options.batchSize, signal)) {
    listed.add(`${rec.source.collection}\0${dataSet.idOf(rec.record)}`);
    yield rec;
  }
  for await (const rec of sampledRecords(db, dataSet, counts, options.sampleSize, options.seed, signal)) {
    if (!listed.has(`${rec.source.collection}\0${dataSet.idOf(rec.record)}`)) yield rec;
  }
}

export async function verifyDataSet(vctx: VerifyContext, dataSet: DataSet): Promise<DataSetVerification> {
  const started = Date.now();
  const { db, options, signal } = vctx;
  const reported = await readReportedRecords(vctx.pool, dataSet.name);
  const sources = await sourceCollections(db, dataSet);
  const counts: Array<{ source: SourceCollection; count: number }> = [];
  let total = 0;
  if (!dataSet.explode) {
    for (const source of sources) {
      const count = await db.collection(source.collection).countDocuments(dataSet.filter ?? {});
      counts.push({ source, count });
      total += count;
    }
  }
  const changed = options.changed?.get(dataSet.name);
  const mode = dataSet.explode || total <= (changed ? options.sampleSize : options.fullLimit) ? 'full' : changed ? 'changed' : 'sample';
  const run = new DataSetRun(vctx, dataSet, mode);
  for (const spec of dataSet.tables) expectationOf(vctx, spec, dataSet.name);
  const tally = (o: Outcome): void => {
    if (o === 'migrated') run.result.migrated++;
    else if (o === 'failed') run.result.failed++;
    else if (o === 'skipped') run.result.skipped++;
  };

  const stream = mode === 'full'
    ? allRecords(db, dataSet, sources, vctx.config.convert.bulkReadSize, signal)
    : mode === 'changed' && changed
      ? changedThenSampled(vctx, dataSet, sources, counts, changed)
      : sampledRecords(db, dataSet, counts, options.sampleSize, options.seed, signal);
  let batch: Item[] = [];
  let seen = 0;
  // Sampled data sets check about sampleSize records; exploded ones have no count up front.
  const expected = dataSet.explode ? null : mode === 'full' ? total : null;
  vctx.onProgress?.(dataSet.name, 0, expected);
  const flush = async (): Promise<void> => {
    const outcomes = await run.check(batch, mode === 'full');
    if (mode === 'full') outcomes.forEach(tally);
    batch = [];
    vctx.onProgress?.(dataSet.name, seen, expected);
  };
  for await (const rec of stream) {
    seen++;
    batch.push(run.prepare(rec, reported));
    if (batch.length >= options.batchSize) await flush();
  }
  if (batch.length > 0) await flush();

  if (mode === 'full') {
    run.result.source = seen;
  } else {
    // Reported records: the report line stands unless the record is in the target after all.
    run.result.source = total;
    const inScope = new Map(sources.map((s) => [s.collection, s]));
    for (const r of reported.all()) {
      signal.throwIfAborted();
      const source = r.collection === undefined ? undefined : inScope.get(r.collection);
      if (!source) continue;
      const record = await fetchReportedRecord(db, dataSet, source, r.id);
      const outcome = record ? (await run.check([run.prepare({ record, source }, reported)], false))[0] : r.outcome;
      tally(outcome ?? r.outcome);
    }
    run.result.migrated = total - run.result.failed - run.result.skipped;
  }
  run.finishTables(mode === 'full', run.result.migrated);

  const { source, migrated, failed, skipped } = run.result;
  if (source !== migrated + failed + skipped) {
    run.problem({ kind: 'count', message: `${source} source records ≠ ${migrated} migrated + ${failed} failed + ${skipped} skipped: ${source - migrated - failed - skipped} record(s) unaccounted for` });
  }
  run.result.durationMs = Date.now() - started;
  return run.result;
}
