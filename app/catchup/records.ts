/**
 * Record-level catch-up (issue 17): every source record of a data set is transformed as
 * `migrate` does, its rows compared with the target by each table's conflict key (the verify
 * machinery, app/verify/compare-rows.ts), and then
 *  - a record not in the target is inserted;
 *  - a record whose rows differ is rewritten: every column of its rows, child rows upserted
 *    (child rows it no longer has go with the delete pass);
 *  - a record equal to its rows is left alone.
 * Columns a transform does not reproduce (credential envelopes: a fresh random nonce each time)
 * are compared by their equivalence (both decrypt to the same secret); an equal secret keeps the
 * stored envelope, a changed one is re-encrypted.
 *
 * Keys of every row the source still produces are collected; the delete pass (children first,
 * across data sets) removes target rows whose key no record produced: the source record is gone,
 * or it no longer migrates (failed or skipped now, reported as `migrate` would).
 */
import type { Document } from 'mongodb';
import { escapeIdentifier } from 'pg';
import { IntegrityError, SinkError, errorMessage, isMongo2pgError, withReason } from '../errors.js';
import type { DataSet, PgValue, SourceCollection, TableRows, TableSpec } from '../datasets/types.js';
import { transformContext } from '../engine/bulk-batch.js';
import { checkReferences, orphanCollectionError } from '../engine/integrity.js';
import { describeSources, sourceCollections } from '../engine/scopes.js';
import { decodeChecked } from '../engine/source-read.js';
import { ErrorReport } from '../report/error-report.js';
import type { DataSetStats } from '../report/stats.js';
import { checkout, type PoolClient } from '../sink/postgres.js';
import { compareRows, tableKeys, type RowComparison } from '../verify/compare-rows.js';
import { differingColumns, equivalences, type Equivalence } from '../verify/reproducible.js';
import { tableShape, type TableShape } from '../verify/table-shape.js';
import { beginWrites, writeReach, endWrites } from './ownership.js';
import type { CatchUpContext, CatchUpCounts } from './types.js';

/** Records transformed twice to find columns a transform does not reproduce. */
const PROBES = 3;
/** Keys per DELETE statement. */
const DELETE_BATCH = 1000;

/** Keys (canonical text, as compareRows and tableKeys print them) of the rows the source still produces, by table. */
export type ExpectedKeys = Map<string, Set<string>>;

export interface RecordCatchUpResult {
  counts: CatchUpCounts;
  stats: DataSetStats;
}

interface Item {
  id: string;
  source: SourceCollection;
  output: TableRows[];
  key: string | undefined;
}

type Verdict = { kind: 'insert' | 'update'; rows: Map<string, PgValue[][]>; keys: Map<string, string[]> } | { kind: 'unchanged'; keys: Map<string, string[]> } | { kind: 'failed'; error: unknown };

/** Shared across data sets of one catch-up: table shapes, equivalences, the run number digests are recorded with. */
export class RecordCatchUp {
  private readonly shapes = new Map<string, TableShape>();
  private readonly equivalent: ReadonlyMap<string, Equivalence>;
  readonly expected: ExpectedKeys = new Map();

  constructor(private readonly ctx: CatchUpContext, private readonly run: number) {
    this.equivalent = equivalences(ctx.config);
  }

  private async shape(spec: TableSpec): Promise<TableShape> {
    let s = this.shapes.get(spec.table);
    if (!s) {
      s = await tableShape(this.ctx.pool, spec);
      this.shapes.set(spec.table, s);
    }
    return s;
  }

  private expect(table: string, key: string): void {
    let set = this.expected.get(table);
    if (!set) this.expected.set(table, (set = new Set()));
    set.add(key);
  }

  /** Inserts and updates of one data set (the delete pass comes later, children first). */
  async upsertDataSet(dataSet: DataSet): Promise<RecordCatchUpResult> {
    const { ctx } = this;
    const { config, db, logger, signal, known } = ctx;
    const dryRun = ctx.dryRun;
    const started = Date.now();
    const counts: CatchUpCounts = { inserted: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, skipped: 0 };
    let total = 0;
    // The data set is redone whole, so this run's failure records replace the stored ones: a record
    // that failed at pre-copy and migrates now loses its record.
    const report = await ErrorReport.startOver(config.convert.workDir || process.cwd(), dataSet.name, ctx.redact.text, dryRun ? undefined : ctx.pool);
    if (dataSet.provides) known.track(dataSet.provides.kind);
    const sources = await sourceCollections(db, dataSet);
    const filter = dataSet.filter ?? {};
    let expectedTotal = 0;
    for (const s of sources) expectedTotal += await db.collection(s.collection).countDocuments(filter);
    // Marked dirty (committed) before the data set is announced and anything is written.
    const tables = dryRun ? [] : await writeReach(ctx.pool, dataSet.tables.map((t) => t.table));
    await beginWrites(ctx.pool, tables, dryRun);
    logger.info('task started', { task: dataSet.name, phase: 'catch-up', source: describeSources(sources, dataSet.collection), total: expectedTotal });
    ctx.progress?.taskStarted(dataSet.name, 'records', expectedTotal);

    // Non-reproducible columns by table: the registered equivalences, and what probes find.
    const uncompared = new Map<string, Set<number>>();
    for (const spec of dataSet.tables) {
      const set = new Set<number>();
      spec.columns.forEach((c, i) => {
        if (this.equivalent.has(`${spec.table}.${c}`)) set.add(i);
      });
      uncompared.set(spec.table, set);
    }
    let probes = 0;
    /** Main-table keys claimed by a record of this run: a second record with the same key fails, as its insert would. */
    const claimed = new Set<string>();

    const fail = (id: string, err: unknown, context: Record<string, unknown>): void => {
      counts.failed++;
      report.record({ id, error: errorMessage(err), code: isMongo2pgError(err) ? err.code : 'SINK_WRITE', context: withReason(context, err) });
    };
    const integrity = (id: string, err: IntegrityError, context: Record<string, unknown>): void => {
      if (config.convert.skipIntegrityErrors) {
        counts.skipped++;
        report.record({ id, error: err.message, code: err.code, context: { ...context, skipped: true } });
      } else if (dryRun) {
        fail(id, err, context);
      } else {
        report.record({ id, error: err.message, code: err.code, context });
        throw new IntegrityError(`${dataSet.name}: record ${id}: ${err.message}; the catch-up stops here (set CONVERT_SKIP_INTEGRITY_ERRORS=true to skip and report such records)`, { cause: err, context: { dataSet: dataSet.name, recordId: id } });
      }
    };
    const accept = (item: Item, keys: Map<string, string[]>): void => {
      for (const [table, list] of keys) for (const k of list) this.expect(table, k);
      if (dataSet.provides && item.key !== undefined) known.add(dataSet.provides.kind, item.key);
    };

    const processBatch = async (docs: Document[], source: SourceCollection, batchNo: number): Promise<void> => {
      const context = { collection: source.collection, batch: batchNo };
      const tctx = transformContext(source);
      const items: Item[] = [];
      for (const doc of docs) {
        const id = dataSet.idOf(doc);
        if (source.orphan) {
          integrity(id, orphanCollectionError(source.collection), context);
          continue;
        }
        let output: TableRows[];
        try {
          output = dataSet.transform(doc, tctx);
        } catch (err) {
          fail(id, err, context);
          continue;
        }
        if (probes < PROBES) {
          probes++;
          let again: TableRows[] = [];
          try {
            again = dataSet.transform(doc, tctx);
          } catch {
            // a transform that fails the second time: every column counts as differing
          }
          for (const [table, cols] of differingColumns(output, again)) for (const c of cols) uncompared.get(table)?.add(c);
        }
        const dangling = dataSet.references ? checkReferences(dataSet.references(doc, tctx), known) : null;
        if (dangling) {
          integrity(id, dangling, context);
          continue;
        }
        items.push({ id, source, output, key: dataSet.provides?.key(doc, tctx) });
      }
      const verdicts = await this.classify(dataSet, items, uncompared);
      const writes: Array<{ item: Item; verdict: Extract<Verdict, { rows: unknown }> }> = [];
      items.forEach((item, i) => {
        const v = verdicts[i] as Verdict;
        if (v.kind === 'failed') return fail(item.id, v.error, context);
        const main = v.keys.get(dataSet.tables[0]?.table ?? '') ?? [];
        if (main.some((k) => claimed.has(k))) return fail(item.id, new SinkError('SINK_WRITE', `maps to the same ${dataSet.tables[0]?.table} row (key ${main[0]}) as another record of this data set`), context);
        for (const k of main) claimed.add(k);
        if (v.kind === 'unchanged') {
          counts.unchanged++;
          accept(item, v.keys);
        } else writes.push({ item, verdict: v });
      });
      if (dryRun) {
        for (const { item, verdict } of writes) {
          if (verdict.kind === 'insert') counts.inserted++;
          else counts.updated++;
          accept(item, verdict.keys);
        }
        return;
      }
      const apply = async (list: typeof writes): Promise<void> => {
        await this.write(dataSet, list.map((w) => w.verdict.rows));
        for (const { item, verdict } of list) {
          if (verdict.kind === 'insert') counts.inserted++;
          else counts.updated++;
          accept(item, verdict.keys);
        }
      };
      if (writes.length > 0) {
        try {
          await apply(writes);
        } catch {
          // One record at a time, so a bad one fails alone.
          for (const w of writes) {
            try {
              await apply([w]);
            } catch (err) {
              if (err instanceof IntegrityError) integrity(w.item.id, err, context);
              else fail(w.item.id, err, context);
            }
          }
        }
      }
      await report.flush();
    };

    try {
      let batchNo = 0;
      for (const source of sources) {
        const cursor = decodeChecked(db.collection(source.collection).find(filter, { sort: { _id: 1 }, batchSize: config.convert.batchSize, raw: true }), source.collection);
        try {
          let batch: Document[] = [];
          for await (const doc of cursor) {
            signal.throwIfAborted();
            const records = dataSet.explode ? dataSet.explode(doc) : [doc];
            total += records.length;
            batch.push(...records);
            if (batch.length >= config.convert.batchSize) {
              await processBatch(batch, source, ++batchNo);
              batch = [];
              ctx.progress?.taskProgress(dataSet.name, progressCounts(counts));
            }
          }
          if (batch.length > 0) await processBatch(batch, source, ++batchNo);
        } finally {
          await cursor.close();
        }
      }
    } finally {
      await report.close();
    }
    await endWrites(ctx.pool, tables, this.run, dryRun, counts.inserted + counts.updated > 0);
    const stats = catchUpStats(dataSet.name, total, counts, Date.now() - started);
    return { counts, stats };
  }

  /** Compares each item's rows with the target: insert, update (with the rows to write), unchanged, or failed. */
  private async classify(dataSet: DataSet, items: readonly Item[], uncompared: Map<string, Set<number>>): Promise<Verdict[]> {
    const perTable = new Map<string, { rows: PgValue[][]; owners: number[] }>();
    items.forEach((item, i) => {
      for (const part of item.output) {
        const entry = perTable.get(part.table) ?? { rows: [], owners: [] };
        for (const row of part.rows) {
          entry.rows.push(row);
          entry.owners.push(i);
        }
        perTable.set(part.table, entry);
      }
    });
    const byItem: Array<Map<string, Array<{ row: PgValue[]; c: RowComparison }>>> = items.map(() => new Map());
    for (const [table, { rows, owners }] of perTable) {
      const spec = dataSet.tables.find((t) => t.table === table);
      if (!spec) throw new SinkError('SINK_WRITE', `${dataSet.name}: the transform produced rows for table ${table}, which the data set does not declare`);
      const results = await compareRows(this.ctx.pool, await this.shape(spec), rows, uncompared.get(table) ?? new Set());
      results.forEach((c, j) => {
        const m = byItem[owners[j] as number] as Map<string, Array<{ row: PgValue[]; c: RowComparison }>>;
        const list = m.get(table) ?? [];
        list.push({ row: rows[j] as PgValue[], c });
        m.set(table, list);
      });
    }
    const mainTable = dataSet.tables[0]?.table;
    return items.map((_, i): Verdict => {
      const m = byItem[i] as Map<string, Array<{ row: PgValue[]; c: RowComparison }>>;
      const keys = new Map<string, string[]>();
      const rows = new Map<string, PgValue[][]>();
      let changed = false;
      let mainFound = true;
      for (const [table, list] of m) {
        const spec = dataSet.tables.find((t) => t.table === table) as TableSpec;
        const skip = uncompared.get(table) ?? new Set<number>();
        for (const { row, c } of list) {
          if (c.refused !== undefined) return { kind: 'failed', error: new SinkError('SINK_WRITE', `PostgreSQL refuses the transform's ${table} row: ${c.refused}`) };
          keys.set(table, [...(keys.get(table) ?? []), c.key ?? '']);
          let out = row;
          if (!c.found) {
            changed = true;
            if (table === mainTable) mainFound = false;
          } else {
            if (c.different.length > 0) changed = true;
            // Non-reproducible columns: an equivalent stored value is kept (a credential whose
            // secret did not change keeps its envelope); a different one is rewritten.
            out = [...row];
            const named = new Map(spec.columns.map((col, k) => [col, row[k] ?? null]));
            for (const k of skip) {
              const actual = c.uncompared?.get(k) ?? null;
              const expected = row[k] ?? null;
              const eq = this.equivalent.get(`${table}.${spec.columns[k]}`);
              const same = eq ? eq(expected, actual, named) === null : (expected === null) === (actual === null);
              if (same) out[k] = actual;
              else changed = true;
            }
          }
          rows.set(table, [...(rows.get(table) ?? []), out]);
        }
      }
      if (!changed) return { kind: 'unchanged', keys };
      return { kind: mainFound ? 'update' : 'insert', rows, keys };
    });
  }

  /** Upserts the rows of some records in one transaction, parents' tables first. */
  private async write(dataSet: DataSet, records: ReadonlyArray<Map<string, PgValue[][]>>): Promise<void> {
    const client: PoolClient = await checkout(this.ctx.pool);
    try {
      await client.query('BEGIN');
      for (const spec of dataSet.tables) {
        const rows = records.flatMap((r) => r.get(spec.table) ?? []);
        if (rows.length > 0) await upsertRows(client, spec, rows);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (err as { code?: string }).code;
      if (code === '23503') throw new IntegrityError(`references a record that does not exist: ${errorMessage(err)}`, { cause: err, context: { dataSet: dataSet.name } });
      if (isMongo2pgError(err)) throw err;
      throw new SinkError('SINK_WRITE', errorMessage(err), { cause: err, context: { dataSet: dataSet.name } });
    } finally {
      client.release();
    }
  }

  /**
   * The delete pass of one data set (run children-first over the data sets): target rows of its
   * tables whose key no source record produced in this catch-up. Returns the main table's rows
   * deleted (records) and the other tables' (child rows).
   */
  async deleteGone(dataSet: DataSet): Promise<{ records: number; childRows: number }> {
    const { ctx } = this;
    let records = 0;
    let childRows = 0;
    const tables = [...dataSet.tables].reverse();
    const gone = new Map<TableSpec, string[]>();
    for (const spec of tables) {
      const expected = this.expected.get(spec.table) ?? new Set<string>();
      const list: string[] = [];
      const client = await checkout(ctx.pool);
      try {
        for await (const key of tableKeys(client, spec.table, spec.conflictKey)) if (!expected.has(key)) list.push(key);
      } finally {
        client.release();
      }
      if (list.length > 0) gone.set(spec, list);
    }
    if (gone.size === 0) return { records, childRows };
    const touched = ctx.dryRun ? [] : await writeReach(ctx.pool, [...gone.keys()].map((s) => s.table));
    await beginWrites(ctx.pool, touched, ctx.dryRun);
    for (const spec of tables) {
      const list = gone.get(spec);
      if (!list) continue;
      let n = 0;
      if (ctx.dryRun) n = list.length;
      else {
        const keyText = `ARRAY[${spec.conflictKey.map((c) => `t.${escapeIdentifier(c)}::text`).join(', ')}]::text[]::text`;
        for (let from = 0; from < list.length; from += DELETE_BATCH) {
          ctx.signal.throwIfAborted();
          const r = await ctx.pool.query(`DELETE FROM ${escapeIdentifier(spec.table)} t WHERE ${keyText} = ANY($1::text[])`, [list.slice(from, from + DELETE_BATCH)]);
          n += r.rowCount ?? 0;
        }
      }
      if (spec === dataSet.tables[0]) records += n;
      else childRows += n;
    }
    await endWrites(ctx.pool, touched, this.run, ctx.dryRun);
    return { records, childRows };
  }
}

/** INSERT … ON CONFLICT (key) DO UPDATE of every other column: a record's rows as the source has them now. */
export async function upsertRows(client: Pick<PoolClient, 'query'>, spec: TableSpec, rows: readonly PgValue[][]): Promise<void> {
  const cols = spec.columns.map(escapeIdentifier).join(', ');
  const others = spec.columns.filter((c) => !spec.conflictKey.includes(c));
  const action = others.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${others.map((c) => `${escapeIdentifier(c)} = EXCLUDED.${escapeIdentifier(c)}`).join(', ')}`;
  const perStatement = Math.max(1, Math.floor(60_000 / spec.columns.length));
  for (let start = 0; start < rows.length; start += perStatement) {
    const params: PgValue[] = [];
    const tuples = rows.slice(start, start + perStatement).map((row) => `(${row.map((v) => {
      params.push(v);
      return `$${params.length}`;
    }).join(', ')})`);
    await client.query(`INSERT INTO ${escapeIdentifier(spec.table)} (${cols}) VALUES ${tuples.join(', ')} ON CONFLICT (${spec.conflictKey.map(escapeIdentifier).join(', ')}) ${action}`, params);
  }
}

/** Progress counts: records brought level so far count as successful. */
export function progressCounts(c: CatchUpCounts): { successful: number; failed: number; skipped: number } {
  return { successful: c.inserted + c.updated + c.unchanged + c.deleted, failed: c.failed, skipped: c.skipped };
}

/** A data set's catch-up as statistics: the usual counts, and the catch-up's own as notes (a line of the block and a field of the structured line each). */
export function catchUpStats(name: string, total: number, c: CatchUpCounts, durationMs: number, childRowsDeleted = 0): DataSetStats {
  return {
    name,
    total,
    successful: c.inserted + c.updated + c.unchanged,
    failed: c.failed,
    skipped: c.skipped,
    durationMs,
    notes: [
      { field: 'inserted', count: c.inserted, line: `Inserted:         ${c.inserted}` },
      { field: 'updated', count: c.updated, line: `Updated:          ${c.updated}` },
      { field: 'deleted', count: c.deleted, line: `Deleted:          ${c.deleted}` },
      { field: 'unchanged', count: c.unchanged, line: `Unchanged:        ${c.unchanged}` },
      ...(childRowsDeleted > 0 ? [{ field: 'child_rows_deleted', count: childRowsDeleted, line: `Child rows deleted: ${childRowsDeleted}` }] : []),
    ],
  };
}
