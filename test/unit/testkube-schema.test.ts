// The Testkube schema files: Goose format, Testkube's own versions, and a final column layout that
// matches both the fact sheet §2 (models.go order) and the column lists the transform writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseGooseFile, type GooseMigration } from '../../app/schema-migrations/goose-file.js';
import { EXECUTION_SEQUENCES_TABLE, EXECUTION_TABLES } from '../../app/transform/testkube/index.js';

const DIR = new URL('../../schema/', import.meta.url);

/** kubeshop/testkube pkg/database/postgres/migrations/ at 2b73b131. */
const TESTKUBE_VERSIONS = [
  20250603170830n,
  20250801103615n,
  20251006110825n,
  20251015112922n,
  20260323000000n,
  20260422120000n,
  20260422120001n,
  20260529110000n,
  20260702140000n,
];
const CONCURRENT = new Set([20260422120001n, 20260529110000n, 20260702140000n]);

function testkubeMigrations(): GooseMigration[] {
  return readdirSync(DIR)
    .filter((f) => /^\d+_testkube_.*\.sql$/.test(f))
    .sort()
    .map((f) => parseGooseFile(f, readFileSync(new URL(f, DIR), 'utf8')));
}

test("one Goose file per Testkube migration, under Testkube's version numbers", () => {
  assert.deepEqual(
    testkubeMigrations().map((m) => m.version),
    TESTKUBE_VERSIONS,
  );
});

test('each file has Up and Down statements; NO TRANSACTION exactly where CREATE INDEX CONCURRENTLY runs', () => {
  for (const m of testkubeMigrations()) {
    assert.ok(m.up.length > 0, `${m.name}: Up`);
    assert.ok(m.down.length > 0, `${m.name}: Down`);
    const concurrent = [...m.up, ...m.down].some((s) => /\bCONCURRENTLY\b/.test(s));
    assert.equal(m.noTransaction, CONCURRENT.has(m.version), `${m.name}: NO TRANSACTION`);
    assert.equal(concurrent, CONCURRENT.has(m.version), `${m.name}: CONCURRENTLY`);
  }
});

test('function bodies stay whole (StatementBegin/End) and both sync triggers are created', () => {
  const m = testkubeMigrations().find((x) => x.version === 20260422120000n);
  const functions = m?.up.filter((s) => s.includes('$$')) ?? [];
  assert.equal(functions.length, 2);
  for (const f of functions) assert.match(f, /^CREATE OR REPLACE FUNCTION \w+\(\) RETURNS trigger AS \$\$[\s\S]*\$\$ LANGUAGE plpgsql;$/);
  const triggers = m?.up.filter((s) => s.startsWith('CREATE TRIGGER')).map((s) => /CREATE TRIGGER (\w+)/.exec(s)?.[1]);
  assert.deepEqual(triggers, ['trg_sync_execution_status', 'trg_sync_execution_workflow_name']);
});

/** Replays CREATE TABLE / ADD / DROP / RENAME COLUMN of the Up sections, in version order. */
function finalColumns(): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const m of testkubeMigrations()) {
    for (const statement of m.up) {
      const sql = statement.replace(/--.*$/gm, '');
      const create = /^CREATE TABLE (\w+) \(([\s\S]*)\);$/.exec(sql.trim());
      if (create) {
        const columns = (create[2] ?? '')
          .split('\n')
          .map((line) => line.trim().split(/\s+/)[0] ?? '')
          .filter((word) => /^[a-z_]+$/.test(word) && !['unique', 'primary', 'constraint', 'foreign'].includes(word));
        tables.set(create[1] ?? '', columns);
        continue;
      }
      const alter = /^ALTER TABLE (\w+)/.exec(sql.trim());
      const columns = alter ? tables.get(alter[1] ?? '') : undefined;
      if (!columns) continue;
      for (const [, verb, column] of sql.matchAll(/\b(ADD|DROP) COLUMN (?:IF EXISTS )?(\w+)/g)) {
        if (verb === 'ADD') columns.push(column ?? '');
        else columns.splice(columns.indexOf(column ?? ''), 1);
      }
      for (const [, from, to] of sql.matchAll(/\bRENAME COLUMN (\w+) TO (\w+)/g)) columns[columns.indexOf(from ?? '')] = to ?? '';
    }
  }
  return tables;
}

test('the final columns are those of Testkube sqlc models.go, in physical order (§2)', () => {
  const tables = finalColumns();
  assert.deepEqual(Object.fromEntries(tables), {
    test_workflow_executions: [
      'id', 'name', 'namespace', 'number', 'test_workflow_execution_name', 'group_id', 'runner_id', 'runner_target',
      'runner_original_target', 'disable_webhooks', 'tags', 'running_context', 'config_params', 'scheduled_at', 'assigned_at',
      'status_at', 'created_at', 'updated_at', 'organization_id', 'environment_id', 'runtime', 'silent_mode', 'workflow_name', 'status',
    ],
    test_workflow_signatures: ['execution_id', 'ref', 'name', 'category', 'optional', 'negative', 'created_at', 'sig_order', 'id', 'parent_id'],
    test_workflow_results: [
      'execution_id', 'status', 'predicted_status', 'duration', 'total_duration', 'duration_ms', 'paused_ms', 'total_duration_ms',
      'pauses', 'initialization', 'steps', 'queued_at', 'started_at', 'finished_at', 'created_at', 'updated_at',
    ],
    test_workflow_outputs: ['execution_id', 'ref', 'name', 'value', 'created_at', 'out_order', 'id'],
    test_workflow_reports: ['execution_id', 'ref', 'kind', 'file', 'summary', 'created_at', 'rep_order', 'id'],
    test_workflow_resource_aggregations: ['execution_id', 'global', 'step', 'created_at', 'updated_at'],
    test_workflows: [
      'execution_id', 'workflow_type', 'name', 'namespace', 'description', 'labels', 'annotations', 'spec', 'read_only', 'status', 'created', 'updated', 'id',
    ],
    leases: ['id', 'identifier', 'cluster_id', 'acquired_at', 'renewed_at', 'created_at', 'updated_at'],
    execution_sequences: ['name', 'number', 'created_at', 'updated_at', 'organization_id', 'environment_id'],
  });
});

test('the transform writes every column except the created_at/updated_at defaults, in schema order', () => {
  const tables = finalColumns();
  for (const spec of [...EXECUTION_TABLES, EXECUTION_SEQUENCES_TABLE]) {
    const expected = (tables.get(spec.table) ?? []).filter((c) => c !== 'created_at' && c !== 'updated_at');
    assert.deepEqual([...spec.columns], expected, spec.table);
  }
});
