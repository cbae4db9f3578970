/** Where the command writes, and what it does when the reader of its output goes away. */
import { createInterface } from 'readline';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where the progress display goes, and whether it is a terminal. */
  progress: NodeJS.WritableStream;
  progressIsTty: boolean;
  /** Whether questions can be asked (stdin and stderr are terminals). */
  interactive: boolean;
  /** Asks a yes/no question (only called when `interactive`); resolves true for "y" / "yes". */
  ask: (question: string) => Promise<boolean>;
  env: NodeJS.ProcessEnv;
}

/**
 * `trinity-db status | head -3`: once the reader closes the pipe, writes fail with EPIPE, emitted as
 * an 'error' event that would otherwise end the process with a stack trace. The command ends
 * quietly instead, as a command killed by SIGPIPE does, with the exit status set so far (0 if none).
 */
export function endQuietlyOnBrokenPipe(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw error;
    });
  }
}

export function askOnTerminal(question: string, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<boolean> {
  const rl = createInterface({ input, output, terminal: true });
  return new Promise((resolve) => {
    let answered = false;
    rl.on('close', () => {
      if (!answered) resolve(false); // Ctrl-D / Ctrl-C: no
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(/^\s*y(es)?\s*$/i.test(answer));
    });
  });
}

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    progress: process.stderr,
    progressIsTty: Boolean(process.stderr.isTTY),
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    ask: (question) => askOnTerminal(question),
    env: process.env,
  };
}

/** One JSON document (bigints as numbers when exact, else as strings), for `--json`. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v),
    2,
  );
}
