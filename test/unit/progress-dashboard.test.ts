/**
 * The Grafana dashboard (chart/dashboards/mongo2pg.json, shipped by the chart as a ConfigMap)
 * must only query metrics and labels the program pushes, so a renamed metric cannot leave an
 * empty graph behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RunMetrics } from '../../app/progress/metrics.js';
import { RunState } from '../../app/progress/run-state.js';

const DASHBOARD = fileURLToPath(new URL('../../chart/dashboards/mongo2pg.json', import.meta.url));

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string }[];
}

function dashboard(): { uid: string; panels: Panel[]; templating: { list: { name: string; query: unknown }[] } } {
  return JSON.parse(readFileSync(DASHBOARD, 'utf8')) as ReturnType<typeof dashboard>;
}

async function exported(): Promise<Map<string, Set<string>>> {
  // A finished, successful run exports every metric, including the end-of-run ones.
  const state = new RunState(0);
  state.start('a', 'bulk', 1, 0);
  state.end('succeeded', 'ok', [{ name: 'a', total: 1, successful: 1, failed: 0, skipped: 0, durationMs: 1 }], 10);
  const metrics = new RunMetrics();
  metrics.refresh(state, 10);
  // The ETA exists only for running data sets.
  const running = new RunState(0);
  running.start('b', 'bulk', 10, 0);
  running.progress('b', { successful: 1, failed: 0, skipped: 0 }, 2000);
  const live = new RunMetrics();
  live.refresh(running, 2000);
  const out = new Map<string, Set<string>>();
  for (const m of [...(await metrics.registry.getMetricsAsJSON()), ...(await live.registry.getMetricsAsJSON())]) {
    const labels = out.get(m.name) ?? new Set<string>();
    for (const v of m.values) for (const l of Object.keys(v.labels)) labels.add(l);
    out.set(m.name, labels);
  }
  return out;
}

test('every mongo2pg metric and label the dashboard queries is exported', async () => {
  const metrics = await exported();
  const exprs = dashboard().panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  assert.ok(exprs.length > 10);
  const grouping = new Set(['job', 'release', 'instance', 'exported_job']);
  for (const expr of exprs) {
    for (const m of expr.matchAll(/\b(mongo2pg_[a-z_]+)(\{([^}]*)\})?/g)) {
      const name = m[1] as string;
      assert.ok(metrics.has(name), `${name} (in ${expr}) is not exported`);
      for (const l of (m[3] ?? '').matchAll(/([a-z_]+)\s*=~?/g)) {
        const label = l[1] as string;
        assert.ok(grouping.has(label) || metrics.get(name)?.has(label), `${name} has no label ${label} (in ${expr})`);
      }
    }
    for (const by of expr.matchAll(/by \(([^)]*)\)/g)) {
      for (const label of (by[1] as string).split(',').map((s) => s.trim())) assert.ok(['data_set', 'outcome'].includes(label), `grouping by ${label}`);
    }
  }
});

test('panels use the data source variable, ids are unique, queries are scoped to the release', () => {
  const d = dashboard();
  assert.equal(d.uid, 'mongo2pg-migration');
  assert.deepEqual(d.templating.list.map((v) => v.name), ['datasource', 'release']);
  const ids = d.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const p of d.panels.filter((x) => x.type !== 'row')) {
    assert.equal(p.datasource?.uid, '${datasource}', p.title);
    for (const t of p.targets ?? []) assert.match(t.expr, /release="\$release"/, `${p.title}: ${t.expr}`);
  }
});
