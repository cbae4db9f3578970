/**
 * The project's npm scripts run for real (npm run ..., as a developer or an operator types them),
 * in the repository or in a scratch copy of it that a test may edit.
 */
import { spawn } from 'child_process';
import { copyFileSync, cpSync, mkdirSync, symlinkSync } from 'fs';
import path from 'path';
import { scratchDir } from './databases';

export const ROOT = path.resolve(__dirname, '../..');

export interface NpmResult {
  code: number | null;
  output: string;
}

/** Variables that would otherwise leak from the developer's shell into the commands under test. */
const CONTROLLED = ['DATABASE_URL', 'TRINITY_DB_PATH', 'TRINITY_MIGRATION_DIR', 'TRINITY_EXTRA_ENTITIES', 'MIGRATION_POSTGRES_URL'];

/** `npm run <script> -- <args>` in `cwd` (the repository by default); stdout and stderr in one string. */
export function npmRun(script: string, env: Record<string, string>, args: string[] = [], options: { cwd?: string; timeoutMs?: number } = {}): Promise<NpmResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONTROLLED.includes(name)));
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', script, ...(args.length ? ['--', ...args] : [])], {
      cwd: options.cwd ?? ROOT,
      env: { ...base, ...env },
      timeout: options.timeoutMs ?? 60_000,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * A scratch copy of the project that a test may edit (entities, migrations): the sources, scripts
 * and configuration are copied, node_modules is linked. Removed by cleanupTestDatabases().
 */
export function scratchProject(): string {
  const dir = path.join(scratchDir(), 'project');
  mkdirSync(dir);
  for (const file of ['package.json', 'tsconfig.json']) copyFileSync(path.join(ROOT, file), path.join(dir, file));
  for (const tree of ['src', 'scripts', 'bin']) cpSync(path.join(ROOT, tree), path.join(dir, tree), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}
