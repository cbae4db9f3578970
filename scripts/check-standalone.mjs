#!/usr/bin/env node
// Fails when a source, test, bench, script or doc file names a path outside the repository: the
// repository must build, test and read the same wherever it is cloned, with nothing beside it.
// Run by `npm test` before jest; prints file:line for each offending reference.
//
// What counts as outside:
// - a relative path starting with `../` that leaves the repository, resolved from the file's
//   folder (and, in Markdown, also from the repository root, as prose paths usually are);
// - the folders the reference data of the tests was once read from (it is vendored under
//   test/fixtures now); they are spelt with escaped slashes so that this file does not match itself.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Folders and files scanned, relative to the repository root. */
const SCANNED = [
  'src', 'test', 'bench', 'scripts', 'docs', 'examples', 'bin', '.ci',
  'README.md', 'CONTRIBUTING.md', 'package.json', 'jest.config.js', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json', 'docker-compose.yml',
];

/** Vendored data, kept byte for byte as it was made (test/fixtures/README.md): not ours to rewrite. */
const SKIPPED = new Set(['test/fixtures/legacy', 'test/fixtures/reference']);

const OUTSIDE_FOLDERS = [/(?:^|[^\w-])shared\/(?:spec|fixtures)\b/, /\/work\/shared\b/];

/** A relative path token: `../` followed by path characters. */
const RELATIVE_PATH = /(?<![\w.\/-])\.\.\/[\w@.\/-]*/g;

function* files(relative) {
  if (SKIPPED.has(relative)) return;
  const absolute = path.join(ROOT, relative);
  let stat;
  try {
    stat = statSync(absolute);
  } catch {
    return; // an optional entry of SCANNED (e.g. no CONTRIBUTING.md yet)
  }
  if (stat.isDirectory()) {
    for (const entry of readdirSync(absolute).sort()) yield* files(path.posix.join(relative, entry));
  } else if (stat.isFile()) {
    yield relative;
  }
}

function isInside(target) {
  return target === ROOT || target.startsWith(ROOT + path.sep);
}

function offencesOf(relative) {
  const bytes = readFileSync(path.join(ROOT, relative));
  if (bytes.includes(0)) return []; // binary
  const folder = path.dirname(path.join(ROOT, relative));
  const markdown = relative.endsWith('.md');
  const found = [];
  bytes
    .toString('utf8')
    .split('\n')
    .forEach((line, index) => {
      const leaving = [...line.matchAll(RELATIVE_PATH)]
        .map((match) => match[0])
        .filter((token) => !isInside(path.resolve(folder, token)) || (markdown && !isInside(path.resolve(ROOT, token))));
      for (const token of leaving) found.push({ line: index + 1, text: token, why: 'a relative path that leaves the repository' });
      if (leaving.length) return;
      const folderMatch = OUTSIDE_FOLDERS.map((pattern) => line.match(pattern)).find(Boolean);
      if (folderMatch) found.push({ line: index + 1, text: folderMatch[0].replace(/^[^\w\/]/, ''), why: 'a folder outside the repository' });
    });
  return found.map((o) => `${relative}:${o.line}: ${o.why}: ${o.text}`);
}

const offences = SCANNED.flatMap((entry) => [...files(entry)]).flatMap(offencesOf);
if (offences.length) {
  console.error(offences.join('\n'));
  console.error(`\ncheck-standalone: ${offences.length} reference(s) to paths outside the repository; the tests and docs must use what is inside it (test/fixtures for test data).`);
  process.exit(1);
}
console.log('check-standalone: no file refers to a path outside the repository');
