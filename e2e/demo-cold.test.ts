/**
 * `make demo` as the first command on a fresh machine (issue 16): HOME is a new empty
 * directory, so the tool cache ($HOME/.cache/mongo2pg/bin) starts empty and nothing is
 * configured.
 *
 * What this proves: the demo itself calls scripts/install-tools.sh for exactly the tools it
 * needs (PostgreSQL, FerretDB, the Pushgateway; never helm, etcd, kube, prometheus), into the
 * default cache under HOME; it then builds, starts the services and migrates (exit 0); an
 * installer waiting on the shared tool lock says so and who holds it; `make demo` does not
 * run `npm ci` when node_modules matches package-lock.json (and would when the lock changes);
 * an expected failure ends in one `demo:` line, not a stack trace.
 *
 * What it does not prove, to keep CI affordable: the Go builds from source. The fresh cache
 * is primed with copies of the FerretDB and Pushgateway binaries (and their stamps) that
 * `npm test` already built with the same script, so the installer finds them current and
 * says "cached" instead of building; the build recipe itself runs in `npm test`'s first step.
 * PostgreSQL comes from the machine (the installer reports it "present").
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolsDir } from '../test/harness/tools.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'mongo2pg-e2e-demo-home-'));
after(() => rmSync(home, { recursive: true, force: true }));

/** The environment of a fresh machine: this PATH, an empty HOME, no tool or test settings. */
function freshEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', ...extra };
  return env;
}

interface Run { code: number; output: string }

/** Runs a command, combined output; onOutput sees the output so far after each chunk. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, onOutput?: (soFar: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk: Buffer): void => {
      output += chunk.toString();
      onOutput?.(output);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

test('make demo needs no npm ci when node_modules matches package-lock.json, and reruns it when the lock changes', async () => {
  const upToDate = await run('make', ['-q', 'deps'], freshEnv());
  assert.equal(upToDate.code, 0, `node_modules is older than package-lock.json: run \`make deps\` before this test (it will not run npm ci under a running suite)\n${upToDate.output}`);
  const plan = await run('make', ['-n', 'demo'], freshEnv());
  assert.equal(plan.code, 0, plan.output);
  assert.doesNotMatch(plan.output, /npm ci/);
  // -W: "what if package-lock.json had just changed", without touching it.
  const afterLockChange = await run('make', ['-n', '-W', 'package-lock.json', 'demo'], freshEnv());
  assert.match(afterLockChange.output, /^npm ci$/m);
});

test('make demo in a clean HOME installs exactly what it needs, says so, waits for the tool lock out loud, and migrates', { timeout: 15 * 60_000 }, async () => {
  const cache = join(home, '.cache', 'mongo2pg', 'bin');
  mkdirSync(cache, { recursive: true });
  const primed = ['ferretdb', 'ferretdb.stamp', 'pushgateway', 'pushgateway.stamp'];
  for (const name of primed) copyFileSync(join(toolsDir(), name), join(cache, name));

  // Another installer holds the lock until the demo's installer says it is waiting for it.
  const lock = join(cache, '.install.lock');
  writeFileSync(join(cache, '.install.owner'), 'pid 4242 (install-tools.sh helm), since 12:00:00Z\n');
  const holder: ChildProcess = spawn('flock', [lock, 'cat'], { stdio: ['pipe', 'ignore', 'ignore'] });
  await new Promise((resolve) => setTimeout(resolve, 500)); // flock has taken the lock
  const release = setTimeout(() => holder.stdin?.end(), 120_000); // never hang the test
  try {
    const demo = await run('make', ['demo'], freshEnv(), (soFar) => {
      if (soFar.includes('waiting for another install')) holder.stdin?.end();
    });
    const out = demo.output;
    assert.equal(demo.code, 0, out);
    assert.match(out, /install-tools: waiting for another install to finish \(lock held by pid 4242 \(install-tools\.sh helm\), since 12:00:00Z; /);
    assert.match(out, /install-tools: got the tool lock after \d+s/);

    // The demo names what it installs and how long that takes, before building.
    const say = out.indexOf('== installing what the demo needs: postgres, ferretdb, pushgateway');
    assert.ok(say >= 0, out);
    assert.match(out.slice(say).split('\n')[0] ?? '', /a few minutes the first time/);
    assert.ok(out.indexOf('== building the CLI') > say, out);

    // Exactly the demo's tools, in the default cache under the fresh HOME.
    const installerLines = out.split('\n').filter((l) => l.startsWith('install-tools: ') && !/waiting|still waiting|got the tool lock/.test(l));
    const tools = installerLines.map((l) => /^install-tools: (\S+)/.exec(l)?.[1]).sort();
    assert.deepEqual(tools, ['ferretdb', 'postgresql:', 'pushgateway'], installerLines.join('\n'));
    assert.match(out, new RegExp(`install-tools: ferretdb v[\\d.]+: cached \\(${cache}/ferretdb\\)`));
    assert.match(out, new RegExp(`install-tools: pushgateway v[\\d.]+: cached \\(${cache}/pushgateway\\)`));
    assert.match(out, /install-tools: postgresql: present/);
    assert.doesNotMatch(installerLines.join('\n'), /helm|etcd|kube|prometheus|openssl/i);
    assert.deepEqual(readdirSync(cache).filter((f) => !f.startsWith('.')).sort(), [...primed].sort(), 'nothing else was installed');

    // The migration ran and the wrapper's closing line is there.
    assert.doesNotMatch(out, /^npm ci$/m);
    assert.match(out, /\nmongo2pg exited with code 0; error reports \(if any\) are in /);
  } finally {
    clearTimeout(release);
    holder.stdin?.end();
  }
});

test('make demo: a tool install that fails is one `demo:` line, no stack trace', { timeout: 5 * 60_000 }, async () => {
  // A tools dir that cannot be created (its parent is a file): the installer fails at once.
  const blocker = join(home, 'not-a-dir');
  writeFileSync(blocker, '');
  const demo = await run('make', ['demo'], freshEnv({ MONGO2PG_TOOLS_DIR: join(blocker, 'bin') }));
  assert.notEqual(demo.code, 0, demo.output);
  assert.match(demo.output, /^demo: installing the tools failed \(scripts\/install-tools\.sh exited 1; its output is above\)$/m);
  assert.doesNotMatch(demo.output, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(demo.output, /== building the CLI/, 'stops at the first failure');
});
