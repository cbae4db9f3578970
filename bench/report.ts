/** Formatting and persistence of benchmark results (table on stdout, JSON under bench/results/). */
import { mkdirSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';

export interface CaseResult {
  name: string;
  /** What the facade call does (statements per call). */
  statements: string;
  kind: 'point read' | 'single-row write' | 'multi-statement' | 'list/aggregate';
  facadeOpsPerSec: number;
  rawOpsPerSec: number;
  /**
   * facade time per op / raw time per op (1.0 = as fast as the driver): the median over the rounds
   * of (raw ops/s / facade ops/s) of the same round.
   */
  ratio: number;
  /** median raw ops/s / median facade ops/s. */
  ratioOfMedians: number;
  facadeMicros: number;
  rawMicros: number;
  /** This process's CPU time (user + system) per call, median over the rounds. */
  facadeCpuMicros: number;
  rawCpuMicros: number;
  /** Per-round ops/s, for spread. */
  facadeRounds: number[];
  rawRounds: number[];
}

export interface ConcurrencyResult {
  callers: number;
  opsPerSec: number;
  errors: number;
  ops: number;
  seconds: number;
  /** The raw-driver run of the same mix (PostgreSQL). */
  raw?: boolean;
  /** Facade throughput / raw throughput: the median of the per-round ratios (PostgreSQL). */
  ratio?: number;
}

export interface DriverResults {
  driver: 'sqlite' | 'postgres';
  date: string;
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  cases: CaseResult[];
  concurrency: { description: string; runs: ConcurrencyResult[]; checks?: Record<string, unknown> };
  /** PostgreSQL: the same calls through PgBouncer in transaction mode (facade and raw `pg` through the same pooler). */
  pgbouncer?: { description: string; cases: CaseResult[] } | { skipped: string };
}

function pooledCases(results: DriverResults): CaseResult[] | undefined {
  return results.pgbouncer && 'cases' in results.pgbouncer ? results.pgbouncer.cases : undefined;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export function formatTable(results: DriverResults): string {
  const lines = [
    `${results.driver}: median of ${results.settings.rounds} rounds (facade and raw interleaved; ratio = median of per-round facade/raw time ratios)`,
    `${pad('call', 30)} ${pad('kind', 16)} ${lpad('facade op/s', 12)} ${lpad('raw op/s', 12)} ${lpad('facade µs', 10)} ${lpad('raw µs', 9)} ${lpad('ratio', 6)} ${lpad('cpu µs f/raw', 14)}`,
  ];
  for (const c of results.cases) {
    lines.push(
      `${pad(c.name, 30)} ${pad(c.kind, 16)} ${lpad(c.facadeOpsPerSec.toFixed(0), 12)} ${lpad(c.rawOpsPerSec.toFixed(0), 12)} ${lpad(c.facadeMicros.toFixed(1), 10)} ${lpad(
        c.rawMicros.toFixed(1),
        9,
      )} ${lpad(c.ratio.toFixed(2), 6)} ${lpad(`${c.facadeCpuMicros.toFixed(0)}/${c.rawCpuMicros.toFixed(0)}`, 14)}`,
    );
  }
  const pooled = pooledCases(results);
  if (pooled) {
    lines.push(
      '',
      `through PgBouncer: ${(results.pgbouncer as { description: string }).description}`,
      `${pad('call', 30)} ${lpad('direct ratio', 12)} ${lpad('PgBouncer: facade op/s', 22)} ${lpad('raw op/s', 9)} ${lpad('facade µs', 10)} ${lpad('raw µs', 9)} ${lpad('ratio', 6)}`,
    );
    for (const c of pooled) {
      const direct = results.cases.find((d) => d.name === c.name);
      lines.push(
        `${pad(c.name, 30)} ${lpad(direct ? direct.ratio.toFixed(2) : '-', 12)} ${lpad(c.facadeOpsPerSec.toFixed(0), 22)} ${lpad(c.rawOpsPerSec.toFixed(0), 9)} ${lpad(c.facadeMicros.toFixed(1), 10)} ${lpad(c.rawMicros.toFixed(1), 9)} ${lpad(c.ratio.toFixed(2), 6)}`,
      );
    }
  } else if (results.pgbouncer && 'skipped' in results.pgbouncer) {
    lines.push('', `through PgBouncer: not measured (${results.pgbouncer.skipped})`);
  }
  if (results.concurrency.runs.length) {
    lines.push('', `concurrency: ${results.concurrency.description}`);
    const one = (raw: boolean) => results.concurrency.runs.find((r) => r.callers === 1 && !!r.raw === raw)?.opsPerSec;
    for (const r of results.concurrency.runs) {
      const base = one(!!r.raw);
      const scale = base ? ` (${(r.opsPerSec / base).toFixed(2)}x of 1 caller)` : '';
      const versusRaw = r.ratio === undefined ? '' : `, ${r.ratio.toFixed(2)}x raw`;
      lines.push(`  ${r.raw ? 'raw   ' : 'facade'} ${lpad(String(r.callers), 3)} callers: ${lpad(r.opsPerSec.toFixed(0), 8)} op/s${scale}${versusRaw}, ${r.ops} ops, ${r.errors} errors`);
    }
    if (results.concurrency.checks) lines.push(`  checks: ${JSON.stringify(results.concurrency.checks)}`);
  }
  return lines.join('\n');
}

/** Markdown table for docs/PERFORMANCE.md (with the PgBouncer columns when they were measured). */
export function formatMarkdown(results: DriverResults): string {
  const pooled = pooledCases(results);
  const lines = pooled
    ? [
        '| call | statements | facade op/s | raw op/s | ratio | PgBouncer: facade op/s | PgBouncer: raw op/s | PgBouncer: ratio | client CPU µs facade / raw |',
        '|---|---|---:|---:|---:|---:|---:|---:|---:|',
      ]
    : ['| call | statements | facade op/s | raw op/s | facade µs | raw µs | ratio | client CPU µs facade / raw |', '|---|---|---:|---:|---:|---:|---:|---:|'];
  for (const c of results.cases) {
    const p = pooled?.find((x) => x.name === c.name);
    lines.push(
      pooled
        ? `| ${c.name} | ${c.statements} | ${c.facadeOpsPerSec.toFixed(0)} | ${c.rawOpsPerSec.toFixed(0)} | ${c.ratio.toFixed(2)} | ${p ? p.facadeOpsPerSec.toFixed(0) : '-'} | ${p ? p.rawOpsPerSec.toFixed(0) : '-'} | ${p ? p.ratio.toFixed(2) : '-'} | ${c.facadeCpuMicros.toFixed(0)} / ${c.rawCpuMicros.toFixed(0)} |`
        : `| ${c.name} | ${c.statements} | ${c.facadeOpsPerSec.toFixed(0)} | ${c.rawOpsPerSec.toFixed(0)} | ${c.facadeMicros.toFixed(1)} | ${c.rawMicros.toFixed(1)} | ${c.ratio.toFixed(2)} | ${c.facadeCpuMicros.toFixed(0)} / ${c.rawCpuMicros.toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}

/** Writes bench/results/<date>-<driver>.json (or `.json.tmp` when `tmp`, which git ignores). */
export function writeResults(results: DriverResults, tmp: boolean): string {
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${results.date.slice(0, 10)}-${results.driver}.json${tmp ? '.tmp' : ''}`);
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  return file;
}
