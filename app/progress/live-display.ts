/**
 * The live display on a terminal (issue 16): a bar per running data set (and per data set being
 * verified), with done/total, percent, rate and ETA, below the scrolling log. Drawn with
 * cli-progress; only when stdout is a terminal and the log is text, never in JSON mode (a log
 * collector must see JSON lines and nothing else). Log lines still appear: while bars are drawn,
 * the logger writes through `logStream`, which hands each line to cli-progress to print above the
 * bars on its next redraw; before the first bar and after the last, lines go straight to the
 * terminal.
 */
import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { Config } from '../config/load.js';
import type { ProgressEvent, Reporter } from './reporter.js';
import { formatSeconds } from './rate.js';
import type { RunState } from './run-state.js';

/** When to show the display: a terminal, text log format (set or chosen by `auto`), a command with progress. */
export function liveDisplayWanted(input: { isTTY: boolean | undefined; logFormat: Config['progress']['logFormat']; command: string }): boolean {
  return input.isTTY === true && input.logFormat !== 'json' && (input.command === 'migrate' || input.command === 'verify');
}

interface BarLine {
  label: string;
  value: number;
  total: number;
  pct: string;
  detail: string;
}

/** What the display shows for a state: the data sets moving now (pure, so tests read it). */
export function displayLines(state: RunState, now: number): Map<string, BarLine> {
  const lines = new Map<string, BarLine>();
  if (state.phase === 'records' || state.phase === 'bulk') {
    const t = state.totals();
    const share = t.tasksPlanned > 0 ? (t.tasksDone / t.tasksPlanned) * 100 : 0;
    lines.set('#all', { label: `${state.phase} phase: data sets`, value: t.tasksDone, total: Math.max(t.tasksPlanned, 1), pct: `${share.toFixed(1).padStart(5)}%`, detail: `done, ${t.done} records read so far` });
    for (const task of state.active()) {
      if (task.stats || (task.phase === 'bulk' && !task.progressed)) continue;
      const v = state.view(task, now);
      lines.set(task.name, {
        label: task.name,
        value: v.done,
        total: Math.max(v.total, 1),
        pct: v.percent === null ? '  ?  %' : `${v.percent.toFixed(1).padStart(5)}%`,
        detail: `${v.recordsPerSecond.toFixed(0)} rec/s, ETA ${formatSeconds(v.etaSeconds)}${v.failed + v.skipped > 0 ? `, ${v.failed} failed, ${v.skipped} skipped` : ''}`,
      });
    }
  }
  if (state.phase === 'verify') {
    const v = state.verifyView(now);
    if (v) {
      lines.set(`verify:${v.name}`, {
        label: `verify ${v.name}`,
        value: v.checked,
        total: Math.max(v.total ?? v.checked, 1),
        pct: v.percent === null ? '  ?  %' : `${v.percent.toFixed(1).padStart(5)}%`,
        detail: `${v.recordsPerSecond.toFixed(0)} rec/s, ETA ${formatSeconds(v.etaSeconds)}`,
      });
    }
  }
  return lines;
}

export class LiveDisplay implements Reporter {
  readonly name = 'display';
  /** The logger's output while the display is on: marked as a terminal so the log stays text. */
  readonly logStream: Writable & { isTTY: true };
  private readonly multibar: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private state: RunState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly now: () => number = Date.now,
  ) {
    this.multibar = new cliProgress.MultiBar({
      stream: out,
      format: ' {label} |{bar}| {pct} {value}/{total} {detail}',
      barsize: 20,
      hideCursor: false,
      // Keep the terminal's line wrapping on: a long log line wraps instead of being cut off at
      // the edge (cli-progress then trims the bar lines, not the log, to the terminal width).
      linewrap: true,
      clearOnComplete: true,
      gracefulExit: false,
      autopadding: false,
      forceRedraw: false,
    }, cliProgress.Presets.shades_classic);
    const stream = new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        const text = chunk.toString();
        if (this.multibar.isActive && !this.stopped) this.multibar.log(text);
        else this.out.write(text);
        done();
      },
    });
    this.logStream = Object.assign(stream, { isTTY: true as const });
  }

  /** The run's state (created after the logger, which needs this display's stream first). */
  attach(state: RunState): void {
    this.state = state;
  }

  start(): void {
    this.timer = setInterval(() => this.sync(), 500);
    this.timer.unref();
  }

  changed(_event: ProgressEvent): void {
    this.sync();
  }

  async finish(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    for (const [key, bar] of this.bars) {
      this.multibar.remove(bar);
      this.bars.delete(key);
    }
    if (this.multibar.isActive) {
      // Print what is buffered, then clear the bars: the lines after this go straight out.
      this.multibar.update();
      this.multibar.stop();
    }
    this.stopped = true;
  }

  private sync(): void {
    if (this.stopped || !this.state) return;
    const lines = displayLines(this.state, this.now());
    // Room for the longest data set name, `verify ` before it included (the plan is known by now).
    const labelWidth = Math.min(34, Math.max(24, ...this.state.planned.map((n) => n.length + 7)));
    for (const [key, bar] of this.bars) {
      if (lines.has(key)) continue;
      this.multibar.remove(bar);
      this.bars.delete(key);
    }
    for (const [key, line] of lines) {
      const payload = { label: line.label.padEnd(labelWidth).slice(0, labelWidth), pct: line.pct, detail: line.detail };
      const bar = this.bars.get(key);
      if (bar) {
        bar.setTotal(line.total);
        bar.update(line.value, payload);
      } else {
        this.bars.set(key, this.multibar.create(line.total, line.value, payload));
      }
    }
  }
}
