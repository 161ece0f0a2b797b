// SLOW (about a minute; two `npm ci` runs): the image build without a Docker engine.
//
// Replays the Dockerfile's steps in a clean temp directory: the build context is the repository's
// files (as a commit would hold them) filtered by .dockerignore; each stage's RUN steps run there
// with the local Node.js standing in for the base image. Then the runtime stage, holding only what
// the Dockerfile copied and installed (dist/, schema/, package*.json, production node_modules),
// is started with the image's own ENTRYPOINT. What this cannot check: the base image itself, file
// ownership and the USER switch at run time (the chart runs the pod as uid 1000, non-root).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SETTINGS } from '../app/config/settings.js';
import { ExitCode } from '../app/errors.js';
import { dockerignore, parseDockerfile, replay, type Stage } from '../test/chart/dockerfile.js';
import { REPO_ROOT, exec } from '../test/chart/helm.js';

const DOCKERFILE = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(DOCKERFILE);

/** Files a commit of the working tree would hold: tracked plus untracked-not-ignored, still present. */
async function repositoryFiles(): Promise<string[]> {
  const result = await exec('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO_ROOT });
  assert.equal(result.code, 0, result.stderr);
  return [...new Set(result.stdout.split('\0').filter(Boolean))].filter((f) => existsSync(join(REPO_ROOT, f)));
}

/** Stand-in for the base image's environment: node and npm on PATH, a HOME with the npm cache. */
function baseEnv(): Record<string, string> {
  return {
    PATH: [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: process.env.HOME ?? homedir(),
    // Reuse the machine's npm cache so the replay does not depend on a fast registry; the
    // installed tree is still exactly package-lock.json's.
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
    ...(process.env.npm_config_registry ? { npm_config_registry: process.env.npm_config_registry } : {}),
  };
}

describe('Dockerfile: replayed without a Docker engine (slow)', { timeout: 300_000 }, () => {
  let work = '';
  let context = '';
  let stages: Stage[] = [];
  let runtime: Stage;
  let appDir = '';

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'mongo2pg-dockerfile-'));
    context = join(work, 'context');
    const ignored = dockerignore(await readFile(join(REPO_ROOT, '.dockerignore'), 'utf8'));
    for (const file of await repositoryFiles()) {
      if (ignored(file)) continue;
      await mkdir(join(context, dirname(file)), { recursive: true });
      await cp(join(REPO_ROOT, file), join(context, file));
    }
    stages = await replay(instructions, { context, workRoot: join(work, 'stages'), baseEnv: baseEnv(), log: (line) => console.log(`  dockerfile: ${line}`) });
    runtime = stages.at(-1) as Stage;
    appDir = join(runtime.root, runtime.workdir);
  });

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('sends only package*.json, tsconfig*.json, app/ and schema/ as the build context', () => {
    const top = readdirSync(context).sort();
    assert.deepEqual(top, ['app', 'package-lock.json', 'package.json', 'schema', 'tsconfig.build.json', 'tsconfig.json']);
    const tests = readdirSync(join(context, 'app'), { recursive: true }).map(String).filter((f) => f.endsWith('.test.ts'));
    assert.deepEqual(tests, []);
  });

  it('builds in a builder stage with npm ci and tsc, installs production dependencies only in the runtime stage', () => {
    assert.equal(stages.length, 2, 'a builder and a runtime stage');
    const [builder] = stages as [Stage, Stage];
    assert.ok(builder.runs.some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev')), 'builder: npm ci');
    assert.ok(builder.runs.some((r) => /\btsc -p tsconfig\.build\.json\b/.test(r)), 'builder: tsc -p tsconfig.build.json');
    assert.ok(runtime.runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r)), 'runtime: npm ci --omit=dev');
    const major = /^node:(\d+)/.exec(runtime.image)?.[1];
    const engines = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    assert.equal(major, /(\d+)/.exec(engines)?.[1], `the base image ${runtime.image} is the Node.js major of package.json engines (${engines})`);
  });

  it('runs as the unprivileged node user with node as the entrypoint (no npm start)', () => {
    assert.equal(runtime.user, 'node');
    assert.deepEqual(runtime.entrypoint.slice(0, 2), ['node', 'dist/main.js']);
    assert.deepEqual(runtime.cmd, ['migrate']);
    assert.equal(runtime.env.NODE_ENV, 'production');
  });

  it('leaves only dist/, schema/, package*.json and production node_modules in the runtime stage', () => {
    const top = readdirSync(appDir).sort();
    assert.deepEqual(top, ['dist', 'node_modules', 'package-lock.json', 'package.json', 'schema']);
    assert.ok(existsSync(join(appDir, 'dist', 'main.js')));
    assert.ok(readdirSync(join(appDir, 'schema')).some((f) => f.endsWith('.sql')));
    // package-lock.json marks what --omit=dev leaves out: "dev": true (dev-only, even transitively).
    const lock = JSON.parse(readFileSync(join(appDir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }> };
    let production = 0;
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (!path.startsWith('node_modules/') || entry.optional || entry.devOptional) continue;
      if (entry.dev) {
        assert.ok(!existsSync(join(appDir, path)), `${path} is a dev dependency and must not be in the image`);
      } else {
        assert.ok(existsSync(join(appDir, path)), `${path} is a production dependency and must be in the image`);
        production++;
      }
    }
    assert.ok(production > 0);
    assert.ok(!existsSync(join(appDir, 'node_modules', 'typescript')), 'no compiler in the image');
  });

  it('starts with --help from the runtime stage and lists every setting', async () => {
    const [program, ...args] = runtime.entrypoint;
    assert.equal(program, 'node');
    const result = await exec(process.execPath, [...args, '--help'], { cwd: appDir, env: { ...runtime.env, PATH: dirname(process.execPath) } });
    assert.equal(result.code, 0, result.stderr);
    for (const s of SETTINGS) assert.ok(result.stdout.includes(s.env), `--help lists ${s.env}`);
  });

  it('runs the default command (migrate) and refuses to start without configuration', async () => {
    const [, ...args] = runtime.entrypoint;
    const result = await exec(process.execPath, [...args, ...runtime.cmd], { cwd: appDir, env: { ...runtime.env, PATH: dirname(process.execPath) } });
    assert.equal(result.code, ExitCode.invalidConfig, `${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /API_MONGO_DSN/);
  });
});
