// Replays a Dockerfile's steps on the local machine, for the test that exercises the image build
// without a Docker engine (e2e/dockerfile-build.test.ts). Each stage gets a directory standing in
// for its root filesystem; the base image is the local Node.js, so only what the Dockerfile itself
// does is checked: which files reach each stage, which commands run there, and what the final
// stage holds and starts. Anything this replay cannot reproduce faithfully is refused, not
// approximated: unknown instructions, globs in COPY, absolute paths in RUN.
import { spawn } from 'node:child_process';
import { cp, mkdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';

export interface Instruction {
  keyword: string;
  /** `--name=value` options before the arguments (RUN --mount=..., COPY --from=...). */
  flags: Record<string, string>;
  /** The arguments as written, after the flags. */
  args: string;
  /** The arguments in exec (JSON array) form, when written that way. */
  exec?: string[];
  line: number;
}

/** Logical lines: comments and blank lines dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i] as string;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, ' ');
      i++;
      const next = lines[i] as string;
      if (!/^\s*#/.test(next)) line += next;
    }
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`Dockerfile line ${start}: cannot parse "${line}"`);
    let rest = (match[2] as string).trim();
    const flags: Record<string, string> = {};
    for (let flag = /^--([a-z-]+)=(\S+)\s+/.exec(rest); flag; flag = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
      flags[flag[1] as string] = flag[2] as string;
      rest = rest.slice(flag[0].length);
    }
    const instruction: Instruction = { keyword: (match[1] as string).toUpperCase(), flags, args: rest, line: start };
    if (rest.startsWith('[')) instruction.exec = JSON.parse(rest) as string[];
    out.push(instruction);
  }
  return out;
}

/**
 * .dockerignore semantics (moby/patternmatcher): patterns are matched against the path and each
 * of its parent directories, `*` and `?` stay within a path segment, `**` spans segments, a
 * leading `!` re-includes, and the last matching pattern wins.
 */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = posix.normalize((negate ? l.slice(1) : l).trim()).replace(/^\/+|\/+$/g, '');
      return { negate, regex: new RegExp(`^${globToRegex(pattern)}$`) };
    });
  return (path: string) => {
    const parts = path.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (candidates.some((c) => rule.regex.test(c))) excluded = !rule.negate;
    }
    return excluded;
  };
}

function globToRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        out += '(?:.*/)?';
      } else {
        out += '.*';
      }
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else out += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

export interface Stage {
  name: string;
  image: string;
  /** Directory standing in for the stage's root filesystem. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string;
  entrypoint: string[];
  cmd: string[];
  /** Commands run, for the test's assertions. */
  runs: string[];
}

export interface ReplayOptions {
  /** Build context, already filtered by .dockerignore. */
  context: string;
  /** Where the stage roots are created. */
  workRoot: string;
  /** Environment for RUN steps (the base image's, i.e. PATH to node and npm, HOME). */
  baseEnv: Record<string, string>;
  /** Progress lines (each step), for the test log. */
  log?: (line: string) => void;
  timeoutMs?: number;
}

const SUPPORTED = new Set(['ARG', 'FROM', 'WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'ENTRYPOINT', 'CMD', 'LABEL', 'EXPOSE']);

function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string | undefined, b: string | undefined) => vars[(a ?? b) as string] ?? '');
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/** Splits shell-like words (no quoting needed by the Dockerfiles this replays). */
function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

export async function replay(instructions: readonly Instruction[], options: ReplayOptions): Promise<Stage[]> {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  const log = options.log ?? (() => undefined);
  const inStage = (i: Instruction): Stage => {
    if (!stage) throw new Error(`Dockerfile line ${i.line}: ${i.keyword} before FROM`);
    return stage;
  };
  const resolve = (s: Stage, path: string): string => posix.resolve(s.workdir, substitute(path, s.env));

  for (const i of instructions) {
    if (!SUPPORTED.has(i.keyword)) throw new Error(`Dockerfile line ${i.line}: ${i.keyword} is not replayed by this test; extend test/chart/dockerfile.ts`);
    switch (i.keyword) {
      case 'ARG': {
        const [name, value] = splitOnce(i.args.trim(), '=');
        if (stage) stage.env[name] = value;
        else globalArgs[name] = value;
        break;
      }
      case 'FROM': {
        const [image, as, name] = words(substitute(i.args, globalArgs));
        if (!image) throw new Error(`Dockerfile line ${i.line}: FROM without an image`);
        const root = join(options.workRoot, `stage-${stages.length}`);
        await mkdir(root, { recursive: true });
        stage = { name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length), image, root, workdir: '/', env: {}, user: 'root', entrypoint: [], cmd: [], runs: [] };
        stages.push(stage);
        log(`FROM ${image} (${stage.name})`);
        break;
      }
      case 'WORKDIR': {
        const s = inStage(i);
        s.workdir = resolve(s, i.args);
        await mkdir(join(s.root, s.workdir), { recursive: true });
        break;
      }
      case 'ENV': {
        const s = inStage(i);
        const pairs = i.args.includes('=') ? words(i.args).map((w) => splitOnce(w, '=')) : [splitOnce(i.args.trim(), ' ')];
        for (const [k, v] of pairs) s.env[k] = substitute(v.trim(), s.env);
        break;
      }
      case 'USER':
        inStage(i).user = i.args.trim();
        break;
      case 'ENTRYPOINT':
      case 'CMD': {
        const s = inStage(i);
        const value = i.exec ?? ['/bin/sh', '-c', i.args];
        if (i.keyword === 'ENTRYPOINT') s.entrypoint = value;
        else s.cmd = value;
        break;
      }
      case 'COPY':
        await copyStep(inStage(i), i, stages, options.context, resolve);
        log(`COPY ${Object.entries(i.flags).map(([k, v]) => `--${k}=${v} `).join('')}${i.args}`);
        break;
      case 'RUN': {
        const s = inStage(i);
        const unsupported = Object.keys(i.flags).filter((f) => f !== 'mount');
        if (unsupported.length > 0) throw new Error(`Dockerfile line ${i.line}: RUN --${unsupported[0]} is not replayed`);
        // --mount=type=cache only speeds up a Docker build; it does not change the result.
        if (i.flags.mount !== undefined && !i.flags.mount.startsWith('type=cache')) throw new Error(`Dockerfile line ${i.line}: RUN --mount=${i.flags.mount} is not replayed`);
        const command = i.exec ?? ['/bin/sh', '-c', i.args];
        if (/(^|\s)\/(?!dev\/null)/.test(command.slice(i.exec ? 0 : 2).join(' '))) {
          throw new Error(`Dockerfile line ${i.line}: RUN with an absolute path cannot be replayed outside a container: ${i.args}`);
        }
        log(`RUN ${i.args}`);
        s.runs.push(i.args);
        await runStep(command, join(s.root, s.workdir), { ...options.baseEnv, ...s.env }, options.timeoutMs ?? 240_000);
        break;
      }
      default:
        break; // LABEL, EXPOSE: metadata only
    }
  }
  return stages;
}

async function copyStep(s: Stage, i: Instruction, stages: readonly Stage[], context: string, resolve: (s: Stage, p: string) => string): Promise<void> {
  const unsupported = Object.keys(i.flags).filter((f) => !['from', 'chown', 'chmod', 'link'].includes(f));
  if (unsupported.length > 0) throw new Error(`Dockerfile line ${i.line}: COPY --${unsupported[0]} is not replayed`);
  const parts = i.exec ?? words(i.args);
  if (parts.length < 2) throw new Error(`Dockerfile line ${i.line}: COPY needs a source and a destination`);
  const sources = parts.slice(0, -1);
  const destText = parts.at(-1) as string;
  let fromRoot = context;
  let fromBase = '/';
  if (i.flags.from !== undefined) {
    const from = stages.find((x) => x.name === i.flags.from);
    if (!from) throw new Error(`Dockerfile line ${i.line}: COPY --from=${i.flags.from}: no such stage`);
    fromRoot = from.root;
    fromBase = from.workdir;
  }
  const dest = resolve(s, destText);
  const destIsDir = destText.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    if (/[*?[]/.test(source)) throw new Error(`Dockerfile line ${i.line}: COPY with a glob (${source}) is not replayed`);
    const from = join(fromRoot, i.flags.from === undefined ? posix.normalize(source) : posix.resolve(fromBase, source));
    let info;
    try {
      info = await stat(from);
    } catch {
      throw new Error(`Dockerfile line ${i.line}: COPY ${source}: not found in ${i.flags.from === undefined ? 'the build context (excluded by .dockerignore?)' : `stage ${i.flags.from}`}`);
    }
    // A directory's contents are copied, not the directory itself.
    const target = info.isDirectory() || !destIsDir ? join(s.root, dest) : join(s.root, dest, posix.basename(source));
    await mkdir(info.isDirectory() ? target : join(target, '..'), { recursive: true });
    await cp(from, target, { recursive: true });
  }
}

function runStep(command: string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command[0] as string, command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`RUN ${command.join(' ')} failed (${signal ?? `exit code ${code}`}):\n${output.trim().split('\n').slice(-30).join('\n')}`));
    });
  });
}
