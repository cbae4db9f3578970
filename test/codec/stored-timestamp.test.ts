// parseStoredTimestamp (the SQLite timestamp codec's hot-path parser) must agree with parseTimestamp
// on every input: the shapes it handles itself and everything it hands over.
import fc from 'fast-check';
import { parseTimestamp } from '../../src/codec/timestamp';
import { parseStoredTimestamp } from '../../src/dialect';

const same = (text: string) => expect(parseStoredTimestamp(text)?.getTime() ?? null).toEqual(parseTimestamp(text)?.getTime() ?? null);

describe('parseStoredTimestamp', () => {
  it('agrees with parseTimestamp on the legacy shapes and their edge cases', () => {
    for (const text of [
      '2026-03-01T10:00:00',
      '2026-03-01T10:00:00.123',
      '2026-03-01T10:00:00.123000',
      '2026-03-01T10:00:00.123456Z',
      '2026-03-01T10:00:00.5',
      '2026-03-01T10:00:00.123456789',
      '2026-03-01T10:00:00.1234567890',
      '2026-03-01T10:00:00.',
      '2026-03-01T10:00:00Z',
      '2026-03-01T10:00:00z',
      '2026-03-01T10:00:00+00:00',
      '2026-03-01T10:00:00.123+00:00',
      '2026-03-01T10:00:00.123+02:00',
      '2026-03-01T10:00:00-05:30',
      '2026-03-01 10:00:00',
      '2026-03-01T10:00:00,123',
      ' 2026-03-01T10:00:00',
      '2026-03-01T10:00:00 ',
      '2026-02-29T10:00:00',
      '2024-02-29T10:00:00',
      '2026-02-31T10:00:00',
      '2026-13-01T10:00:00',
      '2026-00-01T10:00:00',
      '2026-03-00T10:00:00',
      '2026-03-01T24:00:00',
      '2026-03-01T10:60:00',
      '2026-03-01T10:00:60',
      '0099-03-01T10:00:00',
      '2026-03-01',
      '2026-03-01T10:00',
      '2026-03-01T1a:00:00',
      'not a timestamp at all, longer',
      '',
    ]) {
      same(text);
    }
  });

  it('agrees with parseTimestamp on generated and mutated timestamps', () => {
    const base = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.constantFrom('', '.', '.1', '.12', '.123', '.123456', '.123456789', '.1234567890', ',5'),
        fc.constantFrom('', 'Z', 'z', '+00:00', '+02:00', '-0530', ' Z'),
        fc.constantFrom('T', ' ', 'x'),
      )
      .map(([y, mo, d, h, mi, s, frac, zone, sep]) => {
        const p = (v: number, w = 2) => String(v).padStart(w, '0');
        return `${p(y, 4)}-${p(mo)}-${p(d)}${sep}${p(h)}:${p(mi)}:${p(s)}${frac}${zone}`;
      });
    const mutated = fc.tuple(base, fc.nat(40), fc.constantFrom('0', '9', ':', '-', 'T', ' ', '.', 'Z', '+', 'a', '\u0660')).map(([text, at, ch]) => (at < text.length ? text.slice(0, at) + ch + text.slice(at + 1) : text));
    fc.assert(fc.property(fc.oneof(base, mutated, fc.string({ maxLength: 40 })), (text) => same(text)), { numRuns: 5000 });
  });
});
