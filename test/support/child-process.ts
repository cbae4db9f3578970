/** Test child processes that print "ready" once set up (e.g. before waiting at a barrier). */
import { spawn } from 'child_process';
import path from 'path';

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `node <nodeArgs>` in the repository root; `ready` resolves at its "ready" line (or when it exits). */
export function startNodeChild(nodeArgs: string[], env: NodeJS.ProcessEnv = process.env): { ready: Promise<void>; done: Promise<ChildResult> } {
  const child = spawn(process.execPath, nodeArgs, { cwd: path.resolve(__dirname, '../..'), env });
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

/** Starts test/support/`script` with `args` under ts-node (transpile only). */
export function startReadyChild(script: string, args: string[]): { ready: Promise<void>; done: Promise<ChildResult> } {
  return startNodeChild(['-r', 'ts-node/register/transpile-only', path.join(__dirname, script), ...args], { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' });
}
