/** Test child processes: a .ts script of test/support run by ts-node that prints "ready" before waiting at a barrier. */
import { spawn } from 'child_process';
import path from 'path';

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts test/support/`script` with `args`; `ready` resolves at its "ready" line (or when it exits). */
export function startReadyChild(script: string, args: string[]): { ready: Promise<void>; done: Promise<ChildResult> } {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, script), ...args], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  let stdout = '';
  let stderr = '';
  let signalReady!: () => void;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('ready\n')) signalReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<ChildResult>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  void done.then(() => signalReady());
  return { ready, done };
}
