import { createHash } from 'crypto';
import { McpApiKey as McpApiKeyEntity } from '../entity';
import type { McpApiKey, McpApiKeyWithSecret, McpKeyValidationDict } from '../model/mcp-key.model';
import { McpApiKeyCreate } from '../model/mcp-key.model';
import type { UserDict } from '../model/user.model';
import { requireString, validateInput } from '../model/validate';
import { InputValidationError } from '../errors';
import { BaseRepository } from './base.repository';
import { tokenUrlsafe } from './ids';
import { UserRepository } from './user.repository';

const KEY_PREFIX_LENGTH = 20;

// Every read joins users (INNER): keys whose user was deleted disappear everywhere, validation included.
const KEY_SELECT = `SELECT k.id, k.name, k.description, k.key_prefix, k.created_at, k.last_used_at, k.usage_count,
       k.is_active, k.user_id, k.agent_name, k.scope, u.username, u.email AS user_email
  FROM mcp_api_keys k JOIN users u ON u.id = k.user_id`;

/** Python `_generate_mcp_api_key`: `trinity_mcp_` + token_urlsafe(32), 55 characters. */
export function generateMcpApiKey(): string {
  return `trinity_mcp_${tokenUrlsafe(32)}`;
}

/** Python `_hash_api_key`: SHA-256 of the UTF-8 bytes as lowercase hex. Only this hash is stored. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

interface NewKey {
  name: string;
  description: string | null;
  agentName: string | null;
  scope: 'user' | 'agent';
}

/** API keys of the MCP server (Python `McpKeyOperations`). Python took `user_ops`; it is built on this executor. */
export class McpKeyRepository extends BaseRepository {
  /** Python passed `user_ops`; one instance on the same executor serves every call. */
  private readonly users = new UserRepository(this.executor, this.options);

  /** Unknown user -> null. Returns the plaintext key once, in `api_key`. */
  async createMcpApiKey(username: string, keyData: McpApiKeyCreate): Promise<McpApiKeyWithSecret | null> {
    requireString('username', username);
    const input = validateInput(McpApiKeyCreate, keyData, 'keyData');
    const user = await this.users.getUserByUsername(username);
    if (!user) return null;
    return this.insertKey(user, { name: input.name, description: input.description ?? null, agentName: null, scope: 'user' });
  }

  /**
   * An agent-scoped key owned by the agent's owner. Earlier agent keys are neither revoked nor
   * deleted. An empty or missing description gets the generated one (Python `description or ...`).
   */
  async createAgentMcpApiKey(agentName: string, ownerUsername: string, description: string | null = null): Promise<McpApiKeyWithSecret | null> {
    requireString('agentName', agentName);
    requireString('ownerUsername', ownerUsername);
    if (description !== null && description !== undefined && typeof description !== 'string') {
      throw new InputValidationError('description', `expected a string or null, got ${typeof description}`);
    }
    const owner = await this.users.getUserByUsername(ownerUsername);
    if (!owner) return null;
    return this.insertKey(owner, {
      name: `agent-${agentName}-key`,
      description: description || `Auto-generated key for agent ${agentName}`,
      agentName,
      scope: 'agent',
    });
  }

  /** The newest active agent-scope key of the agent (never the secret). */
  async getAgentMcpApiKey(agentName: string): Promise<McpApiKey | null> {
    const rows = await this.select(`${KEY_SELECT} WHERE k.agent_name = ? AND k.scope = 'agent' AND k.is_active = ? ORDER BY k.created_at DESC, k.id DESC LIMIT 1`, [
      agentName,
      this.encode(McpApiKeyEntity, 'is_active', true),
    ]);
    return rows.length ? this.rowToMcpApiKey(rows[0]) : null;
  }

  /** Deletes every agent-scope key of the agent (active or not); user-scope keys are left alone. */
  async deleteAgentMcpApiKey(agentName: string): Promise<boolean> {
    const { affected } = await this.execute(`DELETE FROM mcp_api_keys WHERE agent_name = ? AND scope = 'agent'`, [agentName]);
    return affected > 0;
  }

  /**
   * Looks the key up by its hash. Unknown or revoked -> null (a revoked key records no usage).
   * Otherwise records the use (last_used_at, usage_count + 1 in one atomic UPDATE) and returns the
   * validation dict, whose `user_id` is the USERNAME.
   */
  async validateMcpApiKey(apiKey: string): Promise<McpKeyValidationDict | null> {
    requireString('apiKey', apiKey, { allowEmpty: true });
    const rows = await this.select(`${KEY_SELECT} WHERE k.key_hash = ?`, [hashApiKey(apiKey)]);
    if (!rows.length) return null;
    const key = this.rowToMcpApiKey(rows[0]);
    if (!key.is_active) return null;
    // The is_active guard makes a revoke that lands between the read and this UPDATE win.
    const { affected } = await this.execute(
      `UPDATE mcp_api_keys SET last_used_at = ?, usage_count = COALESCE(usage_count, 0) + 1 WHERE id = ? AND is_active = ?`,
      [this.encode(McpApiKeyEntity, 'last_used_at', this.now()), key.id, this.encode(McpApiKeyEntity, 'is_active', true)],
    );
    if (!affected) return null;
    return { key_id: key.id, key_name: key.name, user_id: key.username, user_email: key.user_email, agent_name: key.agent_name, scope: key.scope };
  }

  /** Only the owner can read a key (there is no admin bypass). Unknown user -> null. */
  async getMcpApiKey(keyId: string, username: string): Promise<McpApiKey | null> {
    const user = await this.users.getUserByUsername(username);
    if (!user) return null;
    const rows = await this.select(`${KEY_SELECT} WHERE k.id = ? AND k.user_id = ?`, [keyId, user.id]);
    return rows.length ? this.rowToMcpApiKey(rows[0]) : null;
  }

  /** All of the user's keys (both scopes, active and revoked), newest first. Unknown user -> []. */
  async listMcpApiKeys(username: string): Promise<McpApiKey[]> {
    const user = await this.users.getUserByUsername(username);
    if (!user) return [];
    const rows = await this.select(`${KEY_SELECT} WHERE k.user_id = ? ORDER BY k.created_at DESC, k.id DESC`, [user.id]);
    return rows.map((row) => this.rowToMcpApiKey(row));
  }

  /** Every key whose user exists, newest first. */
  async listAllMcpApiKeys(): Promise<McpApiKey[]> {
    const rows = await this.select(`${KEY_SELECT} ORDER BY k.created_at DESC, k.id DESC`);
    return rows.map((row) => this.rowToMcpApiKey(row));
  }

  /**
   * Sets is_active = 0. A non-admin must own the key; admins may revoke any key. True when a row
   * matched, so revoking twice is true both times; a missing id is false.
   */
  async revokeMcpApiKey(keyId: string, username: string): Promise<boolean> {
    requireString('keyId', keyId);
    requireString('username', username);
    return this.writeOwnedKey(`UPDATE mcp_api_keys SET is_active = ?`, [this.encode(McpApiKeyEntity, 'is_active', false)], keyId, username);
  }

  /** Hard delete with the same permission rule as revokeMcpApiKey. */
  async deleteMcpApiKey(keyId: string, username: string): Promise<boolean> {
    requireString('keyId', keyId);
    requireString('username', username);
    return this.writeOwnedKey(`DELETE FROM mcp_api_keys`, [], keyId, username);
  }

  /** Python checked ownership with a read, then wrote; the owner condition in the WHERE does both at once. */
  private async writeOwnedKey(statement: string, params: unknown[], keyId: string, username: string): Promise<boolean> {
    const user = await this.users.getUserByUsername(username);
    if (!user) return false;
    const { affected } =
      user.role === 'admin'
        ? await this.execute(`${statement} WHERE id = ?`, [...params, keyId])
        : await this.execute(`${statement} WHERE id = ? AND user_id = ?`, [...params, keyId, user.id]);
    return affected > 0;
  }

  private async insertKey(user: UserDict, key: NewKey): Promise<McpApiKeyWithSecret> {
    const id = tokenUrlsafe(16);
    const apiKey = generateMcpApiKey();
    const createdAt = this.encode(McpApiKeyEntity, 'created_at', this.now());
    // usage_count and is_active take their column defaults, as in Python.
    await this.execute(
      `INSERT INTO mcp_api_keys (id, name, description, key_prefix, key_hash, created_at, user_id, agent_name, scope)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, key.name, key.description, apiKey.slice(0, KEY_PREFIX_LENGTH), hashApiKey(apiKey), createdAt, user.id, key.agentName, key.scope],
    );
    return {
      id,
      name: key.name,
      description: key.description,
      key_prefix: apiKey.slice(0, KEY_PREFIX_LENGTH),
      created_at: this.decode(McpApiKeyEntity, 'created_at', createdAt),
      last_used_at: null,
      usage_count: 0,
      is_active: true,
      user_id: user.id,
      username: user.username,
      user_email: user.email,
      agent_name: key.agentName,
      scope: key.scope,
      api_key: apiKey,
    };
  }

  /** Python `_row_to_mcp_api_key`: bool(is_active) (NULL is false), NULL/empty scope -> 'user'. */
  private rowToMcpApiKey(raw: Record<string, unknown>): McpApiKey {
    const row = this.decodeRow<Record<string, unknown>>(McpApiKeyEntity, raw);
    return {
      id: row.id as string,
      name: row.name as string,
      description: (row.description as string | null) ?? null,
      key_prefix: row.key_prefix as string,
      created_at: row.created_at as Date,
      last_used_at: (row.last_used_at as Date | null) ?? null,
      usage_count: Number(row.usage_count ?? 0),
      is_active: row.is_active === true,
      user_id: Number(row.user_id),
      username: row.username as string,
      user_email: (row.user_email as string | null) ?? null,
      agent_name: (row.agent_name as string | null) ?? null,
      scope: (row.scope as string | null) || 'user',
    };
  }
}
