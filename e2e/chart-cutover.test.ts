// Issue 17 (docs/cutover.md): mongoToPostgresMigration.mode. `precopy` renders `migrate` as plain
// resources of the release (no hook: `helm upgrade` does not wait for the Job, the application
// keeps running), without verification (the source changes under it); `cutover` runs `catch-up`
// as the usual hook; the default `hook` is unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENABLED_VALUES_FILE, container, only, renderDocuments, type Manifest } from '../test/chart/helm.js';

const HOOK = 'helm.sh/hook';

function items(docs: readonly Manifest[]): Manifest[] {
  return docs.flatMap((d) => (d.kind === 'List' ? ((d as Manifest & { items: Manifest[] }).items ?? []) : [d]));
}

describe('chart: pre-copy and cutover', () => {
  it('precopy: plain resources, no hook, a Job of its own name running migrate without verification', async () => {
    const docs = await renderDocuments({ valuesFiles: [ENABLED_VALUES_FILE], values: { mongoToPostgresMigration: { mode: 'precopy' } } });
    for (const d of docs) assert.equal(d.metadata.annotations?.[HOOK], undefined, `${d.kind} is no hook`);
    assert.equal(docs.some((d) => d.kind === 'List'), false);
    const job = only(docs, 'Job');
    assert.match(job.metadata.name, /-precopy$/);
    assert.deepEqual(container(job).args, ['migrate', '--convert_verify=false']);
    // The Role lets the Job annotate itself, by its name.
    const role = only(docs, 'Role') as Manifest & { rules: Array<{ resourceNames?: string[] }> };
    assert.ok(role.rules.some((r) => r.resourceNames?.includes(job.metadata.name)));
  });

  it('cutover: the hook Job runs catch-up', async () => {
    const docs = await renderDocuments({ valuesFiles: [ENABLED_VALUES_FILE], values: { mongoToPostgresMigration: { mode: 'cutover' } } });
    const hooks = docs.filter((d) => d.metadata.annotations?.[HOOK] !== undefined);
    assert.equal(hooks.length, 1);
    const job = only(items(docs), 'Job');
    assert.doesNotMatch(job.metadata.name, /-precopy$/);
    assert.deepEqual(container(job).args, ['catch-up']);
  });

  it('hook (the default): command as before', async () => {
    const docs = await renderDocuments({ valuesFiles: [ENABLED_VALUES_FILE], values: { command: 'verify' } });
    assert.deepEqual(container(only(items(docs), 'Job')).args, ['verify']);
  });

  it('an unknown mode is refused by the values schema', async () => {
    await assert.rejects(renderDocuments({ valuesFiles: [ENABLED_VALUES_FILE], values: { mongoToPostgresMigration: { mode: 'live' } } }), /mode/);
  });
});
