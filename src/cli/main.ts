/**
 * The `trinity-db` command: migrate, revert, status, check, copy, verify. A thin argv layer
 * (node:util parseArgs) over functions that tests call directly. Exit status (src/cli/errors.ts):
 * 0 ok, 1 refused / failed / differences, 2 usage error, 3 migrations pending. URLs are only ever
 * printed masked.
 */
import { readFileSync } from 'fs';
import path from 'path';
import { parseArgs, type ParseArgsConfig } from 'util';
import { maskUrl } from '../config';
import { CHECK_HELP, checkCommand } from './check';
import { COPY_HELP, CopyError, copyDatabase, printCopyReport } from './copy';
import { databaseUrl, sourceUrl, targetUrl } from './database-urls';
import { CliError, EXIT, type ExitCode } from './errors';
import { MIGRATE_HELP, REVERT_HELP, migrateCommand, revertCommand } from './migrate';
import { progressDisplay } from './output';
import { STATUS_HELP, statusCommand } from './status';
import { endQuietlyOnBrokenPipe, processIo, toJson, type CliIo } from './stdio';
import { applicationTables } from './table-rows';
import { VERIFY_HELP, verifyCommand } from './verify';

export type { CliIo };

export const MAIN_HELP = `Usage: trinity-db <command> [options]

Commands:
  migrate [--url URL]                 apply pending migrations
  revert [--url URL]                  revert the last migration
  status [--url URL] [--json]         driver, masked URL, applied/pending migrations, rows per table
  check [--url URL]                   drift gate: pending migrations, or schema differing from the entities
  copy --from SQLITE_URL --to PG_URL  copy a SQLite database into PostgreSQL, then verify it
  verify --from URL --to URL          compare two databases row by row in API terms

Run \`trinity-db <command> --help\` for a command's options. Without --url, migrate, revert, status
and check use DATABASE_URL, else TRINITY_DB_PATH, else sqlite:///data/trinity.db; copy and verify
take --from / --to, else TRINITY_DB_SOURCE_URL / TRINITY_DB_TARGET_URL. status, check, verify and
the source side of copy only read.

Exit status: 0 ok, 1 refused / failed / differences found, 2 usage error, 3 migrations pending
(status, check).

Options:
  -V, --version  print the version
  -h, --help     show this help
`;

const HELP = {
  migrate: MIGRATE_HELP,
  revert: REVERT_HELP,
  status: STATUS_HELP,
  check: CHECK_HELP,
  copy: COPY_HELP,
  verify: VERIFY_HELP,
} as const;
type Command = keyof typeof HELP;

const OPTIONS: Record<Command, NonNullable<ParseArgsConfig['options']>> = {
  migrate: { url: { type: 'string' } },
  revert: { url: { type: 'string' } },
  status: { url: { type: 'string' }, json: { type: 'boolean' } },
  check: { url: { type: 'string' } },
  copy: {
    from: { type: 'string' },
    to: { type: 'string' },
    truncate: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    'skip-invalid': { type: 'boolean' },
    'batch-size': { type: 'string' },
    json: { type: 'boolean' },
  },
  verify: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
};

/** The package version (package.json sits two levels above both src/cli and dist/cli). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

function parse(command: Command, args: string[]) {
  const options = { help: { type: 'boolean', short: 'h' }, ...OPTIONS[command] } as const;
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${HELP[command]}`, EXIT.usage);
  }
}

function batchSizeOption(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliError(`--batch-size must be a positive integer, got '${text}'`, EXIT.usage);
  return Number(text);
}

async function copyCommand(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<ExitCode> {
  const from = sourceUrl(values.from, io.env, COPY_HELP);
  const to = targetUrl(values.to, io.env, COPY_HELP);
  const batchSize = batchSizeOption(values['batch-size']);
  const json = values.json === true;
  if (values.truncate === true && values.yes !== true && !io.interactive) {
    throw new CliError(
      `--truncate empties every application table of the target before the copy: add --yes to confirm (there is no terminal to ask on)`,
      EXIT.usage,
    );
  }
  const confirmTruncate =
    values.yes === true
      ? undefined
      : (nonEmpty: string[]) =>
          io.ask(
            `The target ${maskUrl(to.url)} is not empty: ${nonEmpty.join(', ')}.\n` +
              `--truncate empties all ${applicationTables().length} application tables and replaces them with the copy. Continue? [y/N] `,
          );
  // With --json, stdout carries the report only; messages go to stderr.
  const say = json ? io.err : io.out;
  say(`copying ${maskUrl(from.url)} -> ${maskUrl(to.url)}`);
  const display = progressDisplay(io.progress, io.progressIsTty);
  let report;
  try {
    report = await copyDatabase({
      from: from.url,
      to: to.url,
      fromVia: from.via,
      toVia: to.via,
      truncate: values.truncate === true,
      confirmTruncate,
      skipInvalid: values['skip-invalid'] === true,
      batchSize,
      onProgress: (event) => display.update(event),
      log: say,
    });
  } finally {
    display.end();
  }
  if (json) io.out(toJson(report));
  else printCopyReport(report, io.out);
  if (report.verify && !report.verify.ok) {
    io.err('copy: the copy was committed, but verify found differences (see above)');
    return EXIT.failed;
  }
  return EXIT.ok;
}

async function runCommand(name: Command, values: Record<string, string | boolean | undefined>, io: CliIo): Promise<ExitCode> {
  switch (name) {
    case 'migrate': {
      const { url, via } = databaseUrl(values.url, io.env);
      io.out(`migrating ${maskUrl(url)}`);
      return migrateCommand(url, io.out, via);
    }
    case 'revert': {
      const { url, via } = databaseUrl(values.url, io.env);
      io.out(`reverting the last migration of ${maskUrl(url)}`);
      return revertCommand(url, io.out, via);
    }
    case 'status': {
      const { url, via } = databaseUrl(values.url, io.env);
      return statusCommand(url, io.out, { via, json: values.json === true });
    }
    case 'check': {
      const { url, via } = databaseUrl(values.url, io.env);
      return checkCommand(url, io.out, io.err, via);
    }
    case 'verify': {
      const from = sourceUrl(values.from, io.env, VERIFY_HELP);
      const to = targetUrl(values.to, io.env, VERIFY_HELP);
      return verifyCommand(from.url, to.url, io.out, { fromVia: from.via, toVia: to.via, json: values.json === true });
    }
    case 'copy':
      return copyCommand(values, io);
  }
}

/** Runs one command line; returns the exit status (never calls process.exit). */
export async function main(argv: string[], io: CliIo = processIo()): Promise<ExitCode> {
  const [command, ...args] = argv;
  let json = false;
  try {
    if (command === '--version' || command === '-V') {
      io.out(`trinity-db ${packageVersion()}`);
      return EXIT.ok;
    }
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = args[0] as Command | undefined;
      io.out(topic && topic in HELP ? HELP[topic] : MAIN_HELP);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (!(command in HELP)) throw new CliError(`unknown command '${command}'\n\n${MAIN_HELP}`, EXIT.usage);
    const name = command as Command;
    const values = parse(name, args);
    json = values.json === true;
    if (values.help) {
      io.out(HELP[name]);
      return EXIT.ok;
    }
    return await runCommand(name, values, io);
  } catch (error) {
    // CliErrors are written for this line; anything else is unexpected: its message only (driver
    // messages never hold the password; URLs are masked), never a stack.
    const message = error instanceof CliError ? error.message : ((error as Error)?.message ?? String(error));
    const exitCode = error instanceof CliError ? error.exitCode : EXIT.failed;
    io.err(`trinity-db ${command}: ${message}`);
    if (json) io.out(toJson({ error: { message: message.split('\n\n')[0], exitCode } }));
    return exitCode;
  }
}

export { CopyError };

/** Entry point of bin/trinity-db.js. */
export function run(argv: string[] = process.argv.slice(2)): void {
  endQuietlyOnBrokenPipe();
  main(argv).then(
    (code) => {
      process.exitCode = code;
      // The command is done: once its output is flushed, a connection a driver failed to close must
      // not keep the process alive.
      let flushed = 0;
      const exitLater = () => ++flushed === 2 && setTimeout(() => process.exit(), 5000).unref();
      process.stdout.write('', exitLater);
      process.stderr.write('', exitLater);
    },
    (error) => {
      process.stderr.write(`trinity-db: ${(error as Error)?.message ?? String(error)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
