// The generated executions and workflow definitions must be valid Testkube Go documents: the
// executions transform (which decodes them against Testkube's struct tables) must accept them
// and drop only what the fact sheet says is dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BSON } from 'mongodb';
import { encodeGo, goType } from '../../app/transform/testkube/go-json.js';
import { transformExecution } from '../../app/transform/testkube/index.js';
import { plannedDocuments } from '../fixtures/in-memory.js';

const OPTIONS = { seed: 8, orgs: 2, envsPerOrg: 2, executionsPerEnv: 40, messiness: 0.3, usageRecords: 0, auditEvents: 0, applicationAuditEvents: 0, events: 0, reportingData: 0 };
/** What the driver hands a transform: the document after a BSON round trip. */
const asRead = (doc: Record<string, unknown>) => BSON.deserialize(BSON.serialize(doc));
const EXPECTED_DROPS = /^(not-stored (workflow|resolvedworkflow)\.sync|not-stored signature(\[\]\.children)*\[\]\.id|legacy-field config|unknown-field (testexecutionname|executionnamespace|schemaversion))$/;

test('fixture executions transform, dropping only what the fact sheet drops', () => {
  const drops = new Set<string>();
  let count = 0;
  for (const p of plannedDocuments(OPTIONS)) {
    if (p.dataSet !== 'test_workflow_executions') continue;
    count++;
    transformExecution(asRead(p.built.doc), { organizationId: '', environmentId: '' }, { onDropped: (path, reason) => drops.add(`${reason} ${path.replace(/\[\d+\]/g, '[]')}`) });
  }
  assert.equal(count, 2 * 2 * 40);
  assert.deepEqual([...drops].filter((d) => !EXPECTED_DROPS.test(d)), []);
});

test('fixture test workflows and templates encode as Testkube TestWorkflow documents', () => {
  for (const p of plannedDocuments({ ...OPTIONS, executionsPerEnv: 0, workflowsPerEnv: 6, recordsPerScope: 4 })) {
    if (p.dataSet !== 'test_workflows' && p.dataSet !== 'test_workflow_templates') continue;
    const { _id: _ignored, ...doc } = asRead(p.built.doc);
    const drops: string[] = [];
    encodeGo(goType('*TestWorkflow'), doc, p.dataSet, { onDropped: (path, reason) => drops.push(`${reason} ${path}`) });
    assert.deepEqual(drops.filter((d) => !/unknown-field [\w.]*\.(testexecutionname|executionnamespace|schemaversion)$/.test(d)), []);
  }
});
