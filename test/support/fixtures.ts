/**
 * The data the tests compare with, vendored under test/fixtures (what each file is: its README.md).
 * FIXTURES_DIR is the one place that says where it lives; every test reaches it through here.
 */
import { readFileSync } from 'fs';
import path from 'path';

export const FIXTURES_DIR = path.resolve(__dirname, '../fixtures');

/** The legacy trinity.db files written by the Python layer, and their manifest.json. */
export const LEGACY_DIR = path.join(FIXTURES_DIR, 'legacy');

/** Path of a vendored file, relative to test/fixtures. */
export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES_DIR, ...parts);
}

/** A vendored JSON file, parsed (path relative to test/fixtures, e.g. 'reference', 'schema.json'). */
export function readFixtureJson<T = any>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
}

/** legacy/manifest.json: what each legacy file holds, as recorded when it was made. */
export function legacyManifest<T = any>(): T {
  return readFixtureJson<T>('legacy', 'manifest.json');
}
