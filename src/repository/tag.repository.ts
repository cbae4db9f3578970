import { AgentTag } from '../entity';
import { InputValidationError } from '../errors';
import type { TagWithCount } from '../model/tag.model';
import { requireString } from '../model/validate';
import { BaseRepository } from './base.repository';
import { chunks } from './ids';

/** Python `str.isspace()` characters (JS `trim()` differs: it strips U+FEFF and keeps U+001C-U+001F, U+0085). */
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python `s.strip()`. */
export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}

/** Python `t.lower().strip()`: the tag normalisation of tags.py and system_views.py. */
export function normalizeTag(tag: string): string {
  return pyStrip(tag.toLowerCase());
}

/** Normalises a list, dropping entries that are blank (`if t.strip()`); duplicates are kept. */
export function normalizeTagList(tags: string[]): string[] {
  return tags.filter((t) => pyStrip(t) !== '').map(normalizeTag);
}

/** Python `sorted(set(...))` of the normalised tags: deduplicated, code-point order. */
export function normalizedTagSet(tags: string[]): string[] {
  return [...new Set(normalizeTagList(tags))].sort(compareCodePoints);
}

/** Python's default string order (code points; JS `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export function requireStringList(field: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new InputValidationError(field, `expected an array of strings, got ${value === null ? 'null' : typeof value}`);
  value.forEach((v, i) => {
    if (typeof v !== 'string') throw new InputValidationError(`${field}[${i}]`, `expected a string, got ${v === null ? 'null' : typeof v}`);
  });
  return value as string[];
}

/** Free-form tags on agents (Python `TagOperations`). Tags are normalised; agent names never are. */
export class TagRepository extends BaseRepository {
  /** The agent's tags in code-point order. */
  async getAgentTags(agentName: string): Promise<string[]> {
    const rows = await this.select<{ tag: string }>(`SELECT tag FROM agent_tags WHERE agent_name = ? ORDER BY ${this.sql.binary('tag')}`, [agentName]);
    return rows.map((r) => r.tag);
  }

  /**
   * Replaces the agent's tags with the normalised, deduplicated, sorted list (one transaction; every
   * row gets the same new created_at). Returns that list; an empty input clears the tags.
   */
  async setAgentTags(agentName: string, tags: string[]): Promise<string[]> {
    requireString('agentName', agentName);
    const normalized = normalizedTagSet(requireStringList('tags', tags));
    const createdAt = this.encode(AgentTag, 'created_at', this.now());
    await this.atomically(async (repo) => {
      // Concurrent replacements of one agent's tags serialise: the last one wins, none fails.
      if (this.sql.keyLock) await repo.select(this.sql.keyLock, [`agent_tags:${agentName}`]);
      await repo.execute(`DELETE FROM agent_tags WHERE agent_name = ?`, [agentName]);
      for (const part of chunks(normalized, 300)) {
        await repo.execute(
          `INSERT INTO agent_tags (agent_name, tag, created_at) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`,
          part.flatMap((tag) => [agentName, tag, createdAt]),
        );
      }
    });
    return normalized;
  }

  /** Adds one tag (an existing pair keeps its created_at; a blank tag writes nothing) and returns the agent's tags. */
  async addTag(agentName: string, tag: string): Promise<string[]> {
    requireString('agentName', agentName);
    const normalized = normalizeTag(requireString('tag', tag, { allowEmpty: true }));
    if (normalized) {
      await this.execute(`INSERT INTO agent_tags (agent_name, tag, created_at) VALUES (?, ?, ?) ON CONFLICT (agent_name, tag) DO NOTHING`, [
        agentName,
        normalized,
        this.encode(AgentTag, 'created_at', this.now()),
      ]);
    }
    return this.getAgentTags(agentName);
  }

  /** Removes one (normalised) tag and returns the agent's tags; a missing tag is a no-op. */
  async removeTag(agentName: string, tag: string): Promise<string[]> {
    requireString('agentName', agentName);
    requireString('tag', tag, { allowEmpty: true });
    await this.execute(`DELETE FROM agent_tags WHERE agent_name = ? AND tag = ?`, [agentName, normalizeTag(tag)]);
    return this.getAgentTags(agentName);
  }

  /** Every tag with the number of agents carrying it, most used first, ties alphabetically. */
  async listAllTags(): Promise<TagWithCount[]> {
    const rows = await this.select<{ tag: string; count: unknown }>(
      `SELECT tag, COUNT(*) AS count FROM agent_tags GROUP BY tag ORDER BY count DESC, ${this.sql.binary('tag')} ASC`,
    );
    return rows.map((r) => ({ tag: r.tag, count: Number(r.count) }));
  }

  async getAgentsByTag(tag: string): Promise<string[]> {
    requireString('tag', tag, { allowEmpty: true });
    const rows = await this.select<{ agent_name: string }>(`SELECT agent_name FROM agent_tags WHERE tag = ? ORDER BY ${this.sql.binary('agent_name')}`, [
      normalizeTag(tag),
    ]);
    return rows.map((r) => r.agent_name);
  }

  /** Agents carrying any of the tags (OR), each once, sorted; blank tags are ignored. */
  async getAgentsByTags(tags: string[] | null): Promise<string[]> {
    if (!tags || !tags.length) return [];
    const normalized = [...new Set(normalizeTagList(tags))];
    if (!normalized.length) return [];
    const names = new Set<string>();
    for (const part of chunks(normalized)) {
      const rows = await this.select<{ agent_name: string }>(
        `SELECT DISTINCT agent_name FROM agent_tags WHERE tag IN (${part.map(() => '?').join(', ')})`,
        part,
      );
      for (const r of rows) names.add(r.agent_name);
    }
    return [...names].sort(compareCodePoints);
  }

  async deleteAgentTags(agentName: string): Promise<void> {
    await this.execute(`DELETE FROM agent_tags WHERE agent_name = ?`, [agentName]);
  }

  /** Every requested name (input order, duplicates collapsed) mapped to its sorted tags, `[]` when it has none. */
  async getTagsForAgents(agentNames: string[]): Promise<Record<string, string[]>> {
    const byName = new Map<string, string[]>();
    for (const name of agentNames ?? []) byName.set(name, []);
    for (const part of chunks([...byName.keys()])) {
      const rows = await this.select<{ agent_name: string; tag: string }>(
        `SELECT agent_name, tag FROM agent_tags WHERE agent_name IN (${part.map(() => '?').join(', ')}) ORDER BY ${this.sql.binary('agent_name')}, ${this.sql.binary('tag')}`,
        part,
      );
      for (const r of rows) byName.get(r.agent_name)?.push(r.tag);
    }
    return Object.fromEntries(byName);
  }
}
