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

  it('runs the README\'s commands: npm ci then npm test, the e2e tier, the demo and the benchmarks', async () => {
    const expected: Record<string, string[]> = {
      test: ['npm ci', 'npm test'],
      e2e: ['npm ci', 'npm test -- --tier e2e'],
      demo: ['npm ci', 'npm run demo'],
      bench: ['npm ci', 'npm run bench'],
      image: ['docker build -t mongo2pg:dev .'],
    };
    for (const [target, commands] of Object.entries(expected)) {
      const result = await exec('make', ['--no-print-directory', '-n', target]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.stdout.trim().split('\n'), commands, `make ${target}`);
    }
  });
});
