// Issue 13, D10: a connection string whose password is not percent-encoded
// (`u:Mg@Pw:Sec/ret%Tango42@host`) is refused as invalid configuration (exit 2) with a hint to
// encode it, and no piece of the password appears in anything the CLI prints.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, type TestDatabases } from '../harness/index.js';
import { baseEnv, runCli } from '../helpers/cli.js';
import { workDir } from '../helpers/faults.js';

const PASSWORD = 'Mg@Pw:Sec/ret%Tango42';
/** Every piece a URL parser could cut the password into, two characters or more. */
const PIECES = ['Mg@', '@Pw', 'Pw:', ':Sec', 'Sec/', '/ret', 'ret%', '%Tango', 'Tango42', 'Mg', 'Pw', 'Sec'];

let target: TestDatabases;
before(async () => {
  target = await createTestDatabases('dsn-password-not-encoded');
});
after(async () => {
  await target?.cleanup();
});

function assertNoPiece(output: string): void {
  for (const piece of PIECES) {
    const re = piece.length <= 3 && /^[A-Za-z]+$/.test(piece) ? new RegExp(`(?<![A-Za-z])${piece}(?![A-Za-z])`) : new RegExp(piece.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    assert.doesNotMatch(output, re, `"${piece}" of the password is printed: ${output}`);
  }
}

for (const [setting, url] of [
  ['API_MONGO_DSN', `mongodb://u:${PASSWORD}@127.0.0.1:27017/`],
  ['API_POSTGRES_URL', `postgres://u:${PASSWORD}@127.0.0.1:5432/db`],
] as const) {
  for (const command of ['migrate', 'preflight', 'config']) {
    test(`${setting} with a password that is not URL-encoded: \`${command}\` exits 2 and prints no piece of it`, async () => {
      const r = await runCli([command], { ...baseEnv(target, workDir()), [setting]: url });
      assertNoPiece(r.stdout + r.stderr);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`env ${setting}: must be .*must be percent-encoded \\(e\\.g\\. @ as %40`));
    });
  }
}
