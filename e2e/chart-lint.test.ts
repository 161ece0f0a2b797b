// `make chart-lint` (helm lint --strict with the default values, the minimal enabled values,
// values.example.yaml and the umbrella layout) passes, and the Makefile's documented targets do
// what the README says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHART_DIR, ENABLED_VALUES_FILE, exec, helmPath } from '../test/chart/helm.js';

describe('make chart-lint', () => {
  it('lints the chart with every shipped values file', async () => {
    const result = await exec('make', ['--no-print-directory', 'chart-lint'], { env: { ...process.env, MONGO2PG_HELM: helmPath() }, timeoutMs: 120_000 });
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
    const linted = result.stdout.match(/1 chart\(s\) linted, 0 chart\(s\) failed/g) ?? [];
    assert.equal(linted.length, 4, result.stdout);
    for (const file of ['chart/ci/enabled-values.yaml', 'values.example.yaml', 'chart/ci/umbrella-values.yaml']) assert.ok(result.stdout.includes(`-f ${file}`), file);
  });

  it('fails the lint on values the chart refuses', async () => {
    const result = await exec(helmPath(), ['lint', CHART_DIR, '--strict', '-f', ENABLED_VALUES_FILE, '--set', 'convert.workers=0']);
    assert.notEqual(result.code, 0);
    assert.match(`${result.stdout}${result.stderr}`, /convert\/workers/);
  });
});

describe('Makefile', () => {
  it('lists its targets with their help text by default', async () => {
    const result = await exec('make', ['--no-print-directory']);
    assert.equal(result.code, 0, result.stderr);
    for (const target of ['help', 'build', 'test', 'e2e', 'lint', 'bench', 'demo', 'image', 'chart-lint']) {
      assert.match(result.stdout, new RegExp(`^\\s+${target}\\s+\\S`, 'm'), `make help lists ${target}`);
    }
  });

  it('runs the README\'s commands: npm ci (when package-lock.json changed) then npm test, the e2e tier, the demo and the benchmarks', async () => {
    // -W package-lock.json: as if the lock file had just changed, so the npm ci step shows (with
    // node_modules up to date it is skipped: e2e/demo-cold.test.ts checks that side).
    const install = ['npm ci', 'touch node_modules/.package-lock.json'];
    const expected: Record<string, string[]> = {
      test: [...install, 'npm test'],
      e2e: [...install, 'npm test -- --tier e2e'],
      demo: [...install, 'npm run demo'],
      bench: [...install, 'npm run bench'],
      image: ['docker build -t mongo2pg:dev .'],
    };
    for (const [target, commands] of Object.entries(expected)) {
      const result = await exec('make', ['--no-print-directory', '-n', '-W', 'package-lock.json', target]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.stdout.trim().split('\n'), commands, `make ${target}`);
    }
  });
});
