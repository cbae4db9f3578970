/**
 * CREATE TABLE statements as SQLite stores them (the text as written, with every ALTER TABLE ADD
 * COLUMN appended), split into column definitions and table constraints, each kept as written.
 * A table rebuild carries what it does not own (a newer release's column with its NOT NULL,
 * DEFAULT, CHECK and COLLATE, a constraint on such a column) by copying that text into the new
 * statement: PRAGMA table_info alone knows neither CHECK nor COLLATE.
 */
import { MigrationError } from '../../errors';

export interface ColumnDefinition {
  name: string;
  /** The definition as written (comments left out), e.g. `type TEXT NOT NULL DEFAULT 'public' COLLATE NOCASE`. */
  sql: string;
}

export interface TableConstraint {
  kind: 'primary key' | 'unique' | 'check' | 'foreign key';
  /** The constraint as written (comments left out), e.g. `CONSTRAINT "UQ_x" UNIQUE ("email")`. */
  sql: string;
}

export interface TableDefinition {
  name: string;
  columns: ColumnDefinition[];
  constraints: TableConstraint[];
  /** What follows the closing parenthesis (`WITHOUT ROWID`, `STRICT`), or ''. */
  options: string;
}

type TokenType = 'word' | 'quoted' | 'string' | 'blob' | 'comment' | 'space' | 'symbol';

interface Token {
  type: TokenType;
  text: string;
}

const CLOSING: Record<string, string> = { '"': '"', '`': '`', '[': ']', "'": "'" };

/** SQLite's lexical units, enough to find identifiers, string literals, parentheses and commas. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const start = i;
    let type: TokenType;
    if (/\s/.test(c)) {
      while (i < sql.length && /\s/.test(sql[i])) i++;
      type = 'space';
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      type = 'comment';
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      type = 'comment';
    } else if ((c === 'x' || c === 'X') && sql[i + 1] === "'") {
      i = skipQuoted(sql, i + 1, "'");
      type = 'blob';
    } else if (c in CLOSING) {
      i = skipQuoted(sql, i, CLOSING[c]);
      type = c === "'" ? 'string' : 'quoted';
    } else if (/[A-Za-z0-9_$\u0080-\uffff]/.test(c)) {
      while (i < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i])) i++;
      type = 'word';
    } else {
      i++;
      type = 'symbol';
    }
    tokens.push({ type, text: sql.slice(start, i) });
  }
  return tokens;
}

/** Index after the quoted token starting at `start`; a doubled closing character is part of it. */
function skipQuoted(sql: string, start: number, close: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === close) {
      if (close !== ']' && sql[i + 1] === close) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  throw new MigrationError(`unterminated ${close} in SQL: ${sql.slice(start, start + 60)}`);
}

/** The identifier a word or quoted token names. */
function identifierOf(token: Token): string {
  if (token.type !== 'quoted' && token.type !== 'string') return token.text;
  const close = CLOSING[token.text[0]];
  const body = token.text.slice(1, -1);
  return close === ']' ? body : body.split(close + close).join(close);
}

function isName(token: Token | undefined): token is Token {
  return !!token && (token.type === 'word' || token.type === 'quoted' || token.type === 'string');
}

/** The tokens' text with comments left out and the ends trimmed. */
function textOf(tokens: Token[]): string {
  return tokens
    .map((t) => (t.type === 'comment' ? ' ' : t.text))
    .join('')
    .trim();
}

const significant = (tokens: Token[]) => tokens.filter((t) => t.type !== 'space' && t.type !== 'comment');

const CONSTRAINT_KINDS: Record<string, TableConstraint['kind']> = {
  PRIMARY: 'primary key',
  UNIQUE: 'unique',
  CHECK: 'check',
  FOREIGN: 'foreign key',
};

/** Splits a stored `CREATE TABLE name (...)` statement; refuses `CREATE TABLE ... AS SELECT`. */
export function parseCreateTable(sql: string): TableDefinition {
  const tokens = tokenize(sql);
  const words = significant(tokens);
  const fail = (why: string) => new MigrationError(`cannot read the CREATE TABLE statement (${why}): ${sql.slice(0, 80)}`);
  let at = 0;
  const keyword = (...expected: string[]) => {
    const token = words[at];
    if (token?.type === 'word' && expected.includes(token.text.toUpperCase())) {
      at++;
      return token.text.toUpperCase();
    }
    return undefined;
  };
  if (!keyword('CREATE')) throw fail('no CREATE');
  keyword('TEMP', 'TEMPORARY');
  if (!keyword('TABLE')) throw fail('no TABLE');
  if (keyword('IF')) {
    if (!keyword('NOT') || !keyword('EXISTS')) throw fail('IF without NOT EXISTS');
  }
  if (!isName(words[at])) throw fail('no table name');
  let name = identifierOf(words[at++]);
  if (words[at]?.text === '.') {
    at++;
    if (!isName(words[at])) throw fail('no table name after the schema name');
    name = identifierOf(words[at++]);
  }
  if (words[at]?.text !== '(') throw fail('no column list');

  // Back to the full token list (with spaces) from the opening parenthesis on.
  const open = tokens.indexOf(words[at]);
  const items: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  let close = -1;
  for (let i = open + 1; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.text === '(') depth++;
    if (token.text === ')') {
      if (depth === 0) {
        close = i;
        break;
      }
      depth--;
    }
    if (token.text === ',' && depth === 0) {
      items.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (close < 0) throw fail('no closing parenthesis');
  items.push(current);

  const columns: ColumnDefinition[] = [];
  const constraints: TableConstraint[] = [];
  for (const item of items) {
    const first = significant(item);
    if (!first.length) throw fail('an empty column definition');
    const head = first[0];
    const leading = head.type === 'word' ? head.text.toUpperCase() : '';
    const kindWord = leading === 'CONSTRAINT' ? first[2]?.text.toUpperCase() : leading;
    if (leading === 'CONSTRAINT' || (head.type === 'word' && kindWord in CONSTRAINT_KINDS)) {
      const kind = CONSTRAINT_KINDS[kindWord ?? ''];
      if (!kind) throw fail(`an unknown table constraint ${textOf(item)}`);
      constraints.push({ kind, sql: textOf(item) });
    } else {
      if (constraints.length) throw fail('a column definition after a table constraint');
      columns.push({ name: identifierOf(head), sql: textOf(item) });
    }
  }
  return { name, columns, constraints, options: textOf(tokens.slice(close + 1)).replace(/;$/, '').trim() };
}

/** Every identifier a piece of SQL names (words and quoted identifiers, not string literals), lower-cased. */
export function identifiersIn(sql: string): Set<string> {
  const names = new Set<string>();
  for (const token of tokenize(sql)) {
    if (token.type === 'word' || token.type === 'quoted') names.add(identifierOf(token).toLowerCase());
  }
  return names;
}

/** `"name"` with inner double quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A CREATE TABLE statement from its parts. */
export function formatCreateTable(name: string, definitions: string[], options = ''): string {
  return `CREATE TABLE ${quoteIdentifier(name)} (${definitions.join(', ')})${options ? ' ' + options : ''}`;
}

/** The same definition text compared without regard to spacing and letter case. */
export function sameDefinition(a: string, b: string): boolean {
  const normal = (sql: string) => significant(tokenize(sql)).map((t) => (t.type === 'word' ? t.text.toUpperCase() : t.text)).join(' ');
  return normal(a) === normal(b);
}

/** The name of the index a `CREATE [UNIQUE] INDEX [IF NOT EXISTS] [schema.]name ON ...` statement creates. */
export function parseIndexName(sql: string): string {
  const words = significant(tokenize(sql));
  const upper = (i: number) => (words[i]?.type === 'word' ? words[i].text.toUpperCase() : '');
  let at = 0;
  if (upper(at++) !== 'CREATE') throw new MigrationError(`not a CREATE INDEX statement: ${sql.slice(0, 80)}`);
  if (upper(at) === 'UNIQUE') at++;
  if (upper(at++) !== 'INDEX') throw new MigrationError(`not a CREATE INDEX statement: ${sql.slice(0, 80)}`);
  if (upper(at) === 'IF') at += 3;
  if (words[at + 1]?.text === '.') at += 2;
  if (!isName(words[at])) throw new MigrationError(`no index name in: ${sql.slice(0, 80)}`);
  return identifierOf(words[at]);
}
