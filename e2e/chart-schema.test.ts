// values.schema.json as helm applies it: unknown keys and mistyped values are refused before
// anything is rendered, with helm's message naming the value; the shipped values files pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENABLED_VALUES_FILE, EXAMPLE_VALUES_FILE, UMBRELLA_VALUES_FILE, helmTemplate } from '../test/chart/helm.js';

interface Rejection {
  name: string;
  values: unknown;
  /** helm's schema message mentions this (the path of the bad value). */
  path: RegExp;
}

const REJECTED: Rejection[] = [
  { name: 'an unknown top-level key', values: { replicas: 2 }, path: /additional properties 'replicas' not allowed/ },
  { name: 'a typo in a setting name', values: { convert: { batchsize: 10 } }, path: /additional properties 'batchsize' not allowed/ },
  { name: 'an unknown key in the toggle', values: { mongoToPostgresMigration: { enable: true } }, path: /additional properties 'enable' not allowed/ },
  { name: 'a string for the toggle', values: { mongoToPostgresMigration: { enabled: 'yes' } }, path: /\/mongoToPostgresMigration\/enabled/ },
  { name: 'a string for an integer', values: { convert: { workers: 'ten' } }, path: /\/convert\/workers/ },
  { name: 'a fraction for an integer', values: { convert: { batchSize: 10.5 } }, path: /\/convert\/batchSize/ },
  { name: 'zero workers', values: { convert: { workers: 0 } }, path: /\/convert\/workers/ },
  { name: 'a negative pool size', values: { mongo: { minPoolSize: -1 } }, path: /\/mongo\/minPoolSize/ },
  { name: 'a string for a boolean', values: { convert: { dryRun: 'true' } }, path: /\/convert\/dryRun/ },
  { name: 'a duration without unit', values: { mongo: { connectionTimeout: '5' } }, path: /\/mongo\/connectionTimeout/ },
  { name: 'a duration with a space', values: { progress: { interval: '10 s' } }, path: /\/progress\/interval/ },
  { name: 'a number for a duration', values: { postgres: { connectionDelay: 1 } }, path: /\/postgres\/connectionDelay/ },
  { name: 'CONVERT_SINCE not YYYY-MM-DD', values: { convert: { since: '01/02/2026' } }, path: /\/convert\/since/ },
  { name: 'CONVERT_SINCE month 13', values: { convert: { since: '2026-13-01' } }, path: /\/convert\/since/ },
  { name: 'an unknown read preference', values: { mongo: { readPreference: 'secondaryOnly' } }, path: /\/mongo\/readPreference/ },
  { name: 'an unknown log level', values: { progress: { logLevel: 'trace' } }, path: /\/progress\/logLevel/ },
  { name: 'a Pushgateway URL without scheme', values: { progress: { pushgatewayUrl: 'pushgateway:9091' } }, path: /\/progress\/pushgatewayUrl/ },
  { name: 'an unknown command', values: { command: 'run' }, path: /\/command/ },
  { name: 'an unknown hook event', values: { mongoToPostgresMigration: { hook: { events: ['post-deploy'] } } }, path: /\/mongoToPostgresMigration\/hook\/events/ },
  { name: 'no hook event', values: { mongoToPostgresMigration: { hook: { events: [] } } }, path: /\/mongoToPostgresMigration\/hook\/events/ },
  { name: 'an unknown delete policy', values: { mongoToPostgresMigration: { hook: { deletePolicy: ['always'] } } }, path: /\/mongoToPostgresMigration\/hook\/deletePolicy/ },
  { name: 'a relative work dir', values: { convert: { workDir: 'reports' } }, path: /\/convert\/workDir/ },
  { name: 'a secret as a plain string', values: { mongo: { dsn: 'mongodb://u:p@h' } }, path: /\/mongo\/dsn/ },
  { name: 'an unknown key in a secret reference', values: { postgres: { url: { secretKeyRef: { name: 'a', key: 'b', optional: true } } } }, path: /additional properties 'optional' not allowed/ },
  { name: 'a short inline master password', values: { credentials: { masterPassword: { value: 'too-short' } } }, path: /\/credentials\/masterPassword/ },
  { name: 'an unknown pull policy', values: { image: { pullPolicy: 'Sometimes' } }, path: /\/image\/pullPolicy/ },
  { name: 'a malformed digest', values: { image: { digest: 'latest' } }, path: /\/image\/digest/ },
  { name: 'a non-string label', values: { podLabels: { tier: 1 } }, path: /\/podLabels\/tier/ },
  { name: 'a negative backoffLimit', values: { job: { backoffLimit: -1 } }, path: /\/job\/backoffLimit/ },
  { name: 'an extra env var without a name', values: { extraEnv: [{ value: 'x' }] }, path: /\/extraEnv\/0/ },
  { name: 'a mistyped global secret name', values: { global: { mongo: { dsnSecretRef: 42 } } }, path: /\/global\/mongo\/dsnSecretRef/ },
];

describe('chart: values.schema.json', () => {
  for (const { name, values, path } of REJECTED) {
    it(`rejects ${name}`, async () => {
      const result = await helmTemplate({ valuesFiles: [ENABLED_VALUES_FILE], values });
      assert.notEqual(result.code, 0, `helm accepted ${JSON.stringify(values)}`);
      assert.match(result.stderr, /values don't meet the specifications of the schema/);
      assert.match(result.stderr, path);
    });
  }

  it('accepts the shipped values files and other charts\' globals in the umbrella layout', async () => {
    for (const files of [[], [ENABLED_VALUES_FILE], [EXAMPLE_VALUES_FILE], [UMBRELLA_VALUES_FILE]]) {
      const result = await helmTemplate({ valuesFiles: files, values: { global: { nats: { uri: 'nats://nats:4222' }, mongo: { readPreference: 'nearest' } } } });
      assert.equal(result.code, 0, `${files.join(', ') || 'defaults'}: ${result.stderr}`);
    }
  });

  it('accepts the edge values the program accepts', async () => {
    const values = {
      convert: { since: '2024-02-29', batchSize: 1, bulkWriteSize: 10_000_000 },
      mongo: { minPoolSize: 0, connectionTimeout: '1m30s', connectionDelay: '500ms', readPreference: 'nearest' },
      progress: { interval: '1.5h', pushgatewayUrl: 'https://pgw.example.com:9091/base' },
      job: { activeDeadlineSeconds: null, ttlSecondsAfterFinished: 0 },
      credentials: { masterPassword: { value: 'x'.repeat(32), secretKeyRef: { name: '', key: '' } } },
    };
    const result = await helmTemplate({ valuesFiles: [ENABLED_VALUES_FILE], values });
    assert.equal(result.code, 0, result.stderr);
  });
});
