/**
 * The `trinity-db` command: migrate, status, copy, verify. A thin argv layer (node:util parseArgs)
 * over functions that tests call directly. Exit status: 0 ok, 1 refused / failed / differences,
 * 2 usage error. URLs are only ever printed masked.
 */
import { parseArgs, type ParseArgsConfig } from 'util';
import { maskUrl, resolveDatabaseUrl } from '../config';
import { COPY_HELP, CopyError, copyDatabase, printCopyReport } from './copy';
import { MIGRATE_HELP, migrateCommand } from './migrate';
import { progressDisplay } from './output';
import { STATUS_HELP, statusCommand } from './status';
import { CliError } from './table-rows';
import { VERIFY_HELP, verifyCommand } from './verify';

export const MAIN_HELP = `Usage: trinity-db <command> [options]

Commands:
  migrate [--url URL]                 apply pending migrations
  status [--url URL]                  driver, masked URL, applied/pending migrations, rows per table
  copy --from SQLITE_URL --to PG_URL  copy a SQLite database into PostgreSQL, then verify it
  verify --from URL --to URL          compare two databases row by row in API terms

Run \`trinity-db <command> --help\` for a command's options. Without --url, migrate and status use
DATABASE_URL, else TRINITY_DB_PATH, else sqlite:///data/trinity.db.

Exit status: 0 ok, 1 refused / failed / differences found, 2 usage error.
`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where the progress display goes, and whether it is a terminal. */
  progress: NodeJS.WritableStream;
  progressIsTty: boolean;
}

const HELP = { migrate: MIGRATE_HELP, status: STATUS_HELP, copy: COPY_HELP, verify: VERIFY_HELP } as const;
type Command = keyof typeof HELP;

function defaultIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    progress: process.stderr,
    progressIsTty: Boolean(process.stderr.isTTY),
  };
}

function parse(command: Command, args: string[]) {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    ...(command === 'migrate' || command === 'status' ? { url: { type: 'string' } } : {}),
    ...(command === 'copy' || command === 'verify' ? { from: { type: 'string' }, to: { type: 'string' } } : {}),
    ...(command === 'copy'
      ? { truncate: { type: 'boolean' }, 'skip-invalid': { type: 'boolean' }, 'batch-size': { type: 'string' } }
      : {}),
  };
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${HELP[command]}`, 2);
  }
}

function required(values: Record<string, unknown>, name: string, command: Command): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new CliError(`--${name} is required\n\n${HELP[command]}`, 2);
  return value;
}

/** Runs one command line; returns the exit status (never calls process.exit). */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = args[0] as Command | undefined;
      io.out(topic && topic in HELP ? HELP[topic] : MAIN_HELP);
      return command === undefined ? 2 : 0;
    }
    if (!(command in HELP)) throw new CliError(`unknown command '${command}'\n\n${MAIN_HELP}`, 2);
    const name = command as Command;
    const values = parse(name, args);
    if (values.help) {
      io.out(HELP[name]);
      return 0;
    }
    switch (name) {
      case 'migrate':
      case 'status': {
        const url = typeof values.url === 'string' ? values.url : resolveDatabaseUrl().url;
        if (name === 'migrate') {
          io.out(`migrating ${maskUrl(url)}`);
          return await migrateCommand(url, io.out);
        }
        return await statusCommand(url, io.out);
      }
      case 'verify':
        return await verifyCommand(required(values, 'from', name), required(values, 'to', name), io.out);
      case 'copy': {
        const from = required(values, 'from', name);
        const to = required(values, 'to', name);
        let batchSize: number | undefined;
        if (values['batch-size'] !== undefined) {
          batchSize = Number(values['batch-size']);
          if (!/^\d+$/.test(String(values['batch-size'])) || batchSize < 1) {
            throw new CliError(`--batch-size must be a positive integer, got '${values['batch-size']}'`, 2);
          }
        }
        io.out(`copying ${maskUrl(from)} -> ${maskUrl(to)}`);
        const display = progressDisplay(io.progress, io.progressIsTty);
        let report;
        try {
          report = await copyDatabase({
            from,
            to,
            truncate: values.truncate === true,
            skipInvalid: values['skip-invalid'] === true,
            batchSize,
            onProgress: (event) => display.update(event),
            log: io.out,
          });
        } finally {
          display.end();
        }
        printCopyReport(report, io.out);
        if (report.verify && !report.verify.ok) {
          io.err('copy: the copy was committed, but verify found differences (see above)');
          return 1;
        }
        return 0;
      }
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`trinity-db ${command}: ${error.message}`);
      return error.exitCode;
    }
    // Unexpected errors: the message only (driver messages never hold the password; URLs are masked).
    io.err(`trinity-db ${command}: ${(error as Error)?.message ?? String(error)}`);
    return 1;
  }
}

export { CopyError };

/** Entry point of bin/trinity-db.js. */
export function run(argv: string[] = process.argv.slice(2)): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`trinity-db: ${(error as Error)?.message ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
