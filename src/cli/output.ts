/** Terminal output of the commands: aligned tables and the copy progress display. */

/** Plain-text table with a header rule; `right[i]` right-aligns column i. */
export function formatTable(header: string[], rows: string[][], right: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (right[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface ProgressEvent {
  table: string;
  tableIndex: number;
  tableCount: number;
  /** Rows of this table handled so far (copied + skipped) and its total. */
  done: number;
  total: number;
  /** Rows of every table handled so far and the overall total. */
  overallDone: number;
  overallTotal: number;
  /** True once the table is finished. */
  finished: boolean;
}

export interface ProgressDisplay {
  update(event: ProgressEvent): void;
  end(): void;
}

/** A redrawn bar on a terminal; plain lines (one per finished table, and every 5 s for long tables) otherwise. */
export function progressDisplay(stream: NodeJS.WriteStream | NodeJS.WritableStream, tty: boolean): ProgressDisplay {
  if (tty) {
    let drawn = false;
    let last = 0;
    return {
      update(e) {
        const now = Date.now();
        if (!e.finished && now - last < 100) return;
        last = now;
        const width = 30;
        const fraction = e.overallTotal ? e.overallDone / e.overallTotal : 1;
        const filled = Math.round(fraction * width);
        const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
        const text = `[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${e.overallDone}/${e.overallTotal} rows  table ${e.tableIndex + 1}/${e.tableCount} ${e.table}`;
        stream.write(`\r${text.padEnd(100).slice(0, 100)}`);
        drawn = true;
      },
      end() {
        if (drawn) stream.write('\n');
      },
    };
  }
  let lastLine = Date.now();
  return {
    update(e) {
      const now = Date.now();
      if (e.finished) {
        stream.write(`copied ${e.table} (${e.tableIndex + 1}/${e.tableCount}): ${e.done}/${e.total} rows; ${e.overallDone}/${e.overallTotal} overall\n`);
        lastLine = now;
      } else if (now - lastLine >= 5000) {
        stream.write(`copying ${e.table} (${e.tableIndex + 1}/${e.tableCount}): ${e.done}/${e.total} rows\n`);
        lastLine = now;
      }
    },
    end() {},
  };
}
