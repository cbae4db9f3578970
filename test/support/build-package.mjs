// Builds dist/ (tsc -p tsconfig.build.json) when it is missing or older than the sources, before any
// suite runs: the tests spawn bin/trinity-db.js, which runs the compiled dist/cli when it exists, and
// pack the package. Building once here, and nowhere else during the run, means no suite ever loads
// a dist/ that another one is rewriting, nor one left over from older sources.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

function sourceFiles(root) {
  const files = (readdirSync(path.join(root, 'src'), { recursive: true }))
    .map((f) => path.join('src', String(f)))
    .filter((f) => f.endsWith('.ts'))
    .sort();
  return [...files, 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
}

function sourceHash(root) {
  const hash = createHash('sha256');
  for (const file of sourceFiles(root)) hash.update(`${file}\0`).update(readFileSync(path.join(root, file))).update('\0');
  return hash.digest('hex');
}

export function buildPackage(root) {
  const stampDir = path.join(root, 'node_modules', '.cache', 'trinity-db');
  const stamp = path.join(stampDir, 'dist-source-hash');
  const hash = sourceHash(root);
  const built = existsSync(path.join(root, 'dist', 'index.js')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
  if (built) return false;
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  mkdirSync(stampDir, { recursive: true });
  writeFileSync(stamp, hash);
  return true;
}
