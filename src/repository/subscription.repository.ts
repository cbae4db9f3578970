import type { SqlExecutor } from '../sql/executor';
import { CredentialEncryption } from '../codec/credential-encryption';
import { formatTimestamp } from '../codec/timestamp';
import { ChatMessage, ScheduleExecution, SubscriptionCredential as SubscriptionEntity, SubscriptionRateLimitEvent } from '../entity';
import { TrinityDbError } from '../errors';
import type { SubscriptionCredential, SubscriptionUsage, SubscriptionUsageWindow, SubscriptionWithAgents } from '../model/subscription.model';
import { SubscriptionCredentialWrite } from '../model/subscription.model';
import { requireString, validateInput } from '../model/validate';
import { BaseRepository, type RepositoryOptions } from './base.repository';
import { chunks, uuid4 } from './ids';

/**
 * A subscription or agent named by an assignment does not exist (Python `ValueError`; the router turns
 * the message into an HTTP 400). Kept here until errors.ts gets a shared NotFoundError.
 */
export class SubscriptionNotFoundError extends TrinityDbError {}

export interface SubscriptionRepositoryOptions extends RepositoryOptions {
  /** Encrypts and decrypts tokens; default: the key in CREDENTIAL_ENCRYPTION_KEY, read on each use. */
  encryption?: CredentialEncryption;
}

const HOUR_MS = 3_600_000;
/** An agent with at least two events in this window is switched to another subscription by the caller. */
const RATE_LIMIT_WINDOW_MS = 2 * HOUR_MS;
const RATE_LIMIT_RETENTION_MS = 24 * HOUR_MS;
const USAGE_WINDOWS = { window_5h: 5 * HOUR_MS, window_7d: 168 * HOUR_MS } as const;

/**
 * The standard subscription read ("SUBQ"): the owner's email through an INNER JOIN (a subscription whose
 * owner is gone is invisible) and the number of agents assigned. The token is never selected.
 */
const SUBQ = `SELECT s.id, s.name, s.subscription_type, s.rate_limit_tier, s.owner_id, u.email AS owner_email, s.created_at, s.updated_at,
    (SELECT COUNT(*) FROM agent_ownership c WHERE c.subscription_id = s.id) AS agent_count
  FROM subscription_credentials s INNER JOIN users u ON s.owner_id = u.id`;

/** No event of the subscription (any agent) inside the rate-limit window (first parameter: the cut-off). */
const NOT_RATE_LIMITED = `NOT EXISTS (SELECT 1 FROM subscription_rate_limit_events e WHERE e.subscription_id = s.id AND e.occurred_at > ?)`;

/** Claude subscription credentials, their assignment to agents, rate-limit events and usage (Python `SubscriptionOperations`). */
export class SubscriptionRepository extends BaseRepository {
  private readonly encryption: CredentialEncryption;

  constructor(executor: SqlExecutor, options: SubscriptionRepositoryOptions = {}) {
    super(executor, options);
    this.encryption = options.encryption ?? new CredentialEncryption();
  }

  /**
   * Registers a token under a name, or replaces the token, type and tier of the subscription of that
   * name (its id, owner and created_at are kept; a missing type or tier becomes NULL). The token is
   * encrypted before anything is written. The returned agent_count is always 0 (legacy read-back).
   * Throws SubscriptionNotFoundError, after the write, when no user has the id `ownerId`.
   */
  async createSubscription(
    name: string,
    token: string,
    ownerId: number,
    subscriptionType: string | null = null,
    rateLimitTier: string | null = null,
  ): Promise<SubscriptionCredential> {
    const input = validateInput(
      SubscriptionCredentialWrite,
      { name, token, owner_id: ownerId, subscription_type: subscriptionType, rate_limit_tier: rateLimitTier },
      'subscription',
    );
    const encrypted = this.encryption.encrypt({ token: input.token });
    const now = this.encode(SubscriptionEntity, 'created_at', this.now());
    // One atomic upsert: concurrent registrations of one name cannot collide on the UNIQUE name.
    const [{ id }] = await this.select<{ id: string }>(
      `INSERT INTO subscription_credentials (id, name, encrypted_credentials, subscription_type, rate_limit_tier, owner_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET encrypted_credentials = excluded.encrypted_credentials,
         subscription_type = excluded.subscription_type, rate_limit_tier = excluded.rate_limit_tier, updated_at = excluded.updated_at
       RETURNING id`,
      [uuid4(), input.name, encrypted, input.subscription_type ?? null, input.rate_limit_tier ?? null, input.owner_id, now, now],
    );
    const rows = await this.select(
      `SELECT s.id, s.name, s.subscription_type, s.rate_limit_tier, s.owner_id, u.email AS owner_email, s.created_at, s.updated_at
       FROM subscription_credentials s INNER JOIN users u ON s.owner_id = u.id WHERE s.id = ?`,
      [id],
    );
    if (!rows.length) throw new SubscriptionNotFoundError(`Subscription ${id} was saved but its owner user ${input.owner_id} does not exist`);
    return this.toSubscription(rows[0]);
  }

  async getSubscription(subscriptionId: string): Promise<SubscriptionCredential | null> {
    return this.selectOne(`${SUBQ} WHERE s.id = ?`, [subscriptionId]);
  }

  /** Case-sensitive. */
  async getSubscriptionByName(name: string): Promise<SubscriptionCredential | null> {
    return this.selectOne(`${SUBQ} WHERE s.name = ?`, [name]);
  }

  /**
   * The decrypted token, for internal use only (never put it in an API response). Null when the
   * subscription does not exist or its payload holds no token (legacy `.credentials.json` payloads).
   * Decryption failures (missing or wrong key, damaged envelope) throw CredentialEncryptionError.
   */
  async getSubscriptionToken(subscriptionId: string): Promise<string | null> {
    const rows = await this.select<{ encrypted_credentials: string }>(`SELECT encrypted_credentials FROM subscription_credentials WHERE id = ?`, [subscriptionId]);
    if (!rows.length) return null;
    const payload = this.encryption.decrypt(rows[0].encrypted_credentials);
    if (typeof payload.token === 'string' && payload.token) return payload.token;
    const format = '.credentials.json' in payload ? 'legacy .credentials.json' : 'unknown';
    this.options.logger?.warn(`subscription ${subscriptionId} holds credentials in the ${format} format: no token`);
    return null;
  }

  /** Every visible subscription by name; an `ownerId` of 0/null/undefined means no filter (Python truthiness). */
  async listSubscriptions(ownerId: number | null = null): Promise<SubscriptionCredential[]> {
    const filter = ownerId ? ' WHERE s.owner_id = ?' : '';
    const rows = await this.select(`${SUBQ}${filter} ORDER BY ${this.sql.binary('s.name')}`, ownerId ? [ownerId] : []);
    return rows.map((row) => this.toSubscription(row));
  }

  /** listSubscriptions with the names of the agents assigned (agent_count = agents.length). */
  async listSubscriptionsWithAgents(ownerId: number | null = null): Promise<SubscriptionWithAgents[]> {
    const subscriptions = await this.listSubscriptions(ownerId);
    const agents = await this.agentsOf(subscriptions.map((s) => s.id));
    return subscriptions.map((s) => {
      const names = agents.get(s.id) ?? [];
      return { ...s, agents: names, agent_count: names.length };
    });
  }

  /**
   * Unassigns the subscription from every agent, then deletes it, in one transaction. Returns whether
   * a subscription was deleted. Rate-limit events and usage snapshots stay.
   */
  async deleteSubscription(subscriptionId: string): Promise<boolean> {
    requireString('subscriptionId', subscriptionId);
    return this.atomically(async (repo) => {
      const cleared = await repo.execute(`UPDATE agent_ownership SET subscription_id = NULL WHERE subscription_id = ?`, [subscriptionId]);
      const { affected } = await repo.execute(`DELETE FROM subscription_credentials WHERE id = ?`, [subscriptionId]);
      if (affected > 0 && cleared.affected > 0) {
        this.options.logger?.info(`Deleted subscription ${subscriptionId}, cleared ${cleared.affected} agent assignments`);
      }
      return affected > 0;
    });
  }

  /**
   * Assigns the subscription to the agent. Throws SubscriptionNotFoundError
   * ("Subscription <id> not found" / "Agent <name> not found in ownership table"); nothing changes then.
   */
  async assignSubscriptionToAgent(agentName: string, subscriptionId: string): Promise<boolean> {
    requireString('agentName', agentName);
    requireString('subscriptionId', subscriptionId);
    return this.atomically(async (repo) => {
      const exists = await repo.select(`SELECT 1 AS found FROM subscription_credentials WHERE id = ?`, [subscriptionId]);
      if (!exists.length) throw new SubscriptionNotFoundError(`Subscription ${subscriptionId} not found`);
      const { affected } = await repo.execute(`UPDATE agent_ownership SET subscription_id = ? WHERE agent_name = ?`, [subscriptionId, agentName]);
      if (affected === 0) throw new SubscriptionNotFoundError(`Agent ${agentName} not found in ownership table`);
      return true;
    });
  }

  /** Always true, even for an unknown agent (legacy). */
  async clearAgentSubscription(agentName: string): Promise<boolean> {
    requireString('agentName', agentName);
    await this.execute(`UPDATE agent_ownership SET subscription_id = NULL WHERE agent_name = ?`, [agentName]);
    return true;
  }

  async getAgentSubscription(agentName: string): Promise<SubscriptionCredential | null> {
    return this.selectOne(`${SUBQ} INNER JOIN agent_ownership ao ON ao.subscription_id = s.id WHERE ao.agent_name = ?`, [agentName]);
  }

  /** Agent names in agent_ownership insertion order (the Python query had no ORDER BY: rowid order). */
  async getAgentsBySubscription(subscriptionId: string): Promise<string[]> {
    return (await this.agentsOf([subscriptionId])).get(subscriptionId) ?? [];
  }

  async getAgentSubscriptionId(agentName: string): Promise<string | null> {
    const rows = await this.select<{ subscription_id: string | null }>(`SELECT subscription_id FROM agent_ownership WHERE agent_name = ?`, [agentName]);
    return rows.length ? rows[0].subscription_id : null;
  }

  /**
   * Records a rate-limit error of the agent on the subscription and returns how many the pair had in
   * the last 2 hours, this one included (the caller switches subscriptions at >= 2). Not one
   * transaction, as in Python: the count runs after the insert is committed, so concurrent calls see
   * each other's events and at least one of them reports the full count.
   */
  async recordRateLimitEvent(agentName: string, subscriptionId: string, errorMessage = ''): Promise<number> {
    requireString('agentName', agentName);
    requireString('subscriptionId', subscriptionId);
    requireString('errorMessage', errorMessage, { allowEmpty: true });
    const now = this.now();
    await this.execute(`INSERT INTO subscription_rate_limit_events (id, agent_name, subscription_id, error_message, occurred_at) VALUES (?, ?, ?, ?, ?)`, [
      uuid4(),
      agentName,
      subscriptionId,
      errorMessage,
      this.encodeEventTime(now),
    ]);
    const [{ n }] = await this.select<{ n: unknown }>(
      `SELECT COUNT(*) AS n FROM subscription_rate_limit_events WHERE agent_name = ? AND subscription_id = ? AND occurred_at > ?`,
      [agentName, subscriptionId, this.encodeEventTime(new Date(now.getTime() - RATE_LIMIT_WINDOW_MS))],
    );
    return Number(n);
  }

  /** Whether any agent hit a rate limit on the subscription in the last 2 hours. */
  async isSubscriptionRateLimited(subscriptionId: string): Promise<boolean> {
    const rows = await this.select(`SELECT 1 AS found FROM subscription_rate_limit_events WHERE subscription_id = ? AND occurred_at > ? LIMIT 1`, [
      subscriptionId,
      this.rateLimitCutoff(),
    ]);
    return rows.length > 0;
  }

  async clearRateLimitEvents(agentName: string, subscriptionId: string): Promise<void> {
    requireString('agentName', agentName);
    requireString('subscriptionId', subscriptionId);
    await this.execute(`DELETE FROM subscription_rate_limit_events WHERE agent_name = ? AND subscription_id = ?`, [agentName, subscriptionId]);
  }

  /** Deletes events older than 24 hours; returns how many. */
  async cleanupOldRateLimitEvents(): Promise<number> {
    const cutoff = new Date(this.now().getTime() - RATE_LIMIT_RETENTION_MS);
    const { affected } = await this.execute(`DELETE FROM subscription_rate_limit_events WHERE occurred_at < ?`, [this.encodeEventTime(cutoff)]);
    return affected;
  }

  /** The subscription with the fewest agents (then by name) that is not rate-limited, or null. */
  async getLeastUsedSubscription(): Promise<SubscriptionCredential | null> {
    return this.selectOne(`${SUBQ} WHERE ${NOT_RATE_LIMITED} ORDER BY agent_count ASC, ${this.sql.binary('s.name')} ASC LIMIT 1`, [this.rateLimitCutoff()]);
  }

  /**
   * The subscription other than `currentSubscriptionId` with the fewest agents that is not rate-limited,
   * or null. Equal counts: the oldest first (Python left ties to SQLite's scan order, in practice insertion order).
   */
  async selectBestAlternativeSubscription(currentSubscriptionId: string): Promise<SubscriptionCredential | null> {
    return this.selectOne(`${SUBQ} WHERE s.id != ? AND ${NOT_RATE_LIMITED} ORDER BY agent_count ASC, s.created_at ASC, ${this.sql.binary('s.id')} ASC LIMIT 1`, [
      currentSubscriptionId,
      this.rateLimitCutoff(),
    ]);
  }

  /**
   * Tokens, cost and message counts billed to the subscription over the last 5 hours and 7 days:
   * assistant chat messages plus finished schedule executions (executions add no output tokens).
   * An unknown id gives zeros.
   */
  async getSubscriptionUsage(subscriptionId: string): Promise<SubscriptionUsage> {
    const now = this.now().getTime();
    const cut5h = new Date(now - USAGE_WINDOWS.window_5h);
    const cut7d = new Date(now - USAGE_WINDOWS.window_7d);
    const chatTs = this.encode(ChatMessage, 'timestamp', cut5h);
    const chatTs7 = this.encode(ChatMessage, 'timestamp', cut7d);
    // chat_messages.timestamp is naive text only, which orders correctly against a naive cut-off.
    const [chat] = await this.select<Record<string, unknown>>(
      `SELECT ${windowSums('"timestamp"', 'context_used', 'output_tokens', 'cost')}
       FROM chat_messages WHERE subscription_id = ? AND role = 'assistant' AND "timestamp" >= ?`,
      [chatTs, chatTs, chatTs, chatTs, subscriptionId, chatTs7],
    );
    // schedule_executions.started_at mixes Z6 and naive rows: compare a normalised form (see startedAt).
    const started = this.startedAt();
    const exec5 = this.startedAtParam(cut5h);
    const [exec] = await this.select<Record<string, unknown>>(
      `SELECT ${windowSums(started, 'context_used', '0', 'cost')}
       FROM schedule_executions WHERE subscription_id = ? AND ${started} >= ? AND status NOT IN ('running', 'pending')`,
      [exec5, exec5, exec5, exec5, subscriptionId, this.startedAtParam(cut7d)],
    );
    const window = (suffix: '5h' | '7d'): SubscriptionUsageWindow => ({
      input_tokens: Number(chat[`in_${suffix}`]) + Number(exec[`in_${suffix}`]),
      output_tokens: Number(chat[`out_${suffix}`]),
      cost_usd: Number(chat[`cost_${suffix}`]) + Number(exec[`cost_${suffix}`]),
      message_count: Number(chat[`n_${suffix}`]) + Number(exec[`n_${suffix}`]),
    });
    return {
      subscription_id: subscriptionId,
      window_5h: window('5h'),
      window_7d: window('7d'),
      agents: await this.getAgentsBySubscription(subscriptionId),
    };
  }

  // -- helpers ---------------------------------------------------------------------------------

  private async selectOne(sql: string, params: unknown[]): Promise<SubscriptionCredential | null> {
    const rows = await this.select(sql, params);
    return rows.length ? this.toSubscription(rows[0]) : null;
  }

  private toSubscription(row: Record<string, unknown>): SubscriptionCredential {
    const r = this.decodeRow<Record<string, unknown>>(SubscriptionEntity, row);
    return {
      id: r.id as string,
      name: r.name as string,
      subscription_type: (r.subscription_type as string | null) ?? null,
      rate_limit_tier: (r.rate_limit_tier as string | null) ?? null,
      owner_id: Number(r.owner_id),
      owner_email: (r.owner_email as string | null) ?? null,
      created_at: r.created_at as Date,
      updated_at: r.updated_at as Date,
      // Not selected by createSubscription's read-back: 0, as the Python model's default.
      agent_count: r.agent_count === undefined ? 0 : Number(r.agent_count),
    };
  }

  /** Agent names per subscription id, in agent_ownership insertion order; one query per 500 ids. */
  private async agentsOf(subscriptionIds: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    for (const ids of chunks(subscriptionIds)) {
      const rows = await this.select<{ subscription_id: string; agent_name: string }>(
        `SELECT subscription_id, agent_name FROM agent_ownership WHERE subscription_id IN (${ids.map(() => '?').join(', ')}) ORDER BY id`,
        ids,
      );
      for (const row of rows) {
        const list = result.get(row.subscription_id) ?? [];
        list.push(row.agent_name);
        result.set(row.subscription_id, list);
      }
    }
    return result;
  }

  private encodeEventTime(date: Date): unknown {
    return this.encode(SubscriptionRateLimitEvent, 'occurred_at', date);
  }

  /** Start of the 2-hour rate-limit window, encoded for occurred_at (naive text orders correctly against naive text). */
  private rateLimitCutoff(): unknown {
    return this.encodeEventTime(new Date(this.now().getTime() - RATE_LIMIT_WINDOW_MS));
  }

  /**
   * started_at in a form that orders as time whatever its legacy shape. On SQLite the column holds
   * Z6 (`…ss.ffffffZ`) and naive (`…ss.ffffff`, or `…ss` at zero microseconds) text: both become
   * `YYYY-MM-DDTHH:MM:SS.ffffff`. PostgreSQL stores timestamptz.
   */
  private startedAt(): string {
    if (this.driver === 'postgres') return 'started_at';
    return `(substr(started_at, 1, 19) || CASE WHEN substr(started_at, 20, 1) = '.' THEN substr(started_at, 20, 7) ELSE '.000000' END)`;
  }

  private startedAtParam(cutoff: Date): unknown {
    if (this.driver === 'postgres') return this.encode(ScheduleExecution, 'started_at', cutoff);
    return formatTimestamp(cutoff, 'Z6').slice(0, -1); // YYYY-MM-DDTHH:MM:SS.ffffff
  }
}

/**
 * Conditional sums for both usage windows in one scan: the rows are filtered by the 7-day cut-off, and
 * the 5-hour sums take rows whose time is >= the 5-hour cut-off (four `?` parameters, before the WHERE's).
 */
function windowSums(time: string, input: string, output: string, cost: string): string {
  const in5h = `${time} >= ?`;
  return [
    `COALESCE(SUM(CASE WHEN ${in5h} THEN ${input} END), 0) AS in_5h`,
    `COALESCE(SUM(CASE WHEN ${in5h} THEN ${output} END), 0) AS out_5h`,
    `COALESCE(SUM(CASE WHEN ${in5h} THEN ${cost} END), 0) AS cost_5h`,
    `COUNT(CASE WHEN ${in5h} THEN 1 END) AS n_5h`,
    `COALESCE(SUM(${input}), 0) AS in_7d`,
    `COALESCE(SUM(${output}), 0) AS out_7d`,
    `COALESCE(SUM(${cost}), 0) AS cost_7d`,
    'COUNT(*) AS n_7d',
  ].join(', ');
}
