/** Types of test/support/pgbouncer.js (CommonJS, shared with the ESM jest global setup). */

export interface PgBouncer {
  host: string;
  port: number;
  binary: string;
  configFile: string;
  /** A URL for `database` through this pgbouncer. */
  url(database: string): string;
  /** What pgbouncer printed on stderr (the last 20 kB). */
  log(): string;
  /** Immediate shutdown (SIGTERM): every client and server connection is dropped. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same configuration. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and removes its configuration directory. */
  dispose(): Promise<void>;
}

export interface StartPgBouncerOptions {
  server: { host: string; port: number | string };
  user: string;
  password?: string;
  /** [pgbouncer] settings over those of docs/examples/pgbouncer.ini. */
  settings?: Record<string, string>;
  port?: number;
}

export const EXAMPLE_CONFIG: string;
export function findPgBouncer(): string | null;
export function renderConfig(exampleText: string, site: Record<string, string>, databases: string[]): string;
export function startPgBouncer(options: StartPgBouncerOptions): Promise<PgBouncer>;
