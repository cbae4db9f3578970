/**
 * Where the databases of a command come from: a flag, else an environment variable. Variables keep
 * passwords off the command line (and out of the shell history and `ps`): the target of `copy` and
 * `verify` can come from TRINITY_DB_TARGET_URL, the source from TRINITY_DB_SOURCE_URL, and a
 * PostgreSQL URL without a password takes PGPASSWORD, as libpq does.
 */
import { resolveDatabaseUrl } from '../config';
import { CliError, EXIT } from './errors';

export const SOURCE_URL_VARIABLE = 'TRINITY_DB_SOURCE_URL';
export const TARGET_URL_VARIABLE = 'TRINITY_DB_TARGET_URL';

export interface UrlArgument {
  url: string;
  /** The flag or variable it came from, for messages. */
  via: string;
}

const given = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** `--url`, else DATABASE_URL, else TRINITY_DB_PATH, else the default file (as the platform itself). */
export function databaseUrl(flag: unknown, env: NodeJS.ProcessEnv): UrlArgument {
  if (given(flag)) return { url: flag, via: '--url' };
  const resolved = resolveDatabaseUrl(env);
  if (resolved.source === 'default') return { url: resolved.url, via: 'the default: DATABASE_URL and TRINITY_DB_PATH are not set' };
  return { url: resolved.url, via: resolved.variable };
}

function fromFlagOrVariable(flag: unknown, flagName: string, variable: string, env: NodeJS.ProcessEnv, help: string): UrlArgument {
  if (given(flag)) return { url: flag, via: flagName };
  const value = env[variable];
  if (given(value)) return { url: value.trim(), via: variable };
  throw new CliError(`${flagName} is required (or set ${variable})\n\n${help}`, EXIT.usage);
}

export function sourceUrl(flag: unknown, env: NodeJS.ProcessEnv, help: string): UrlArgument {
  return fromFlagOrVariable(flag, '--from', SOURCE_URL_VARIABLE, env, help);
}

export function targetUrl(flag: unknown, env: NodeJS.ProcessEnv, help: string): UrlArgument {
  return fromFlagOrVariable(flag, '--to', TARGET_URL_VARIABLE, env, help);
}
