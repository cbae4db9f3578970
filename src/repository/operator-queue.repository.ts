import { OperatorQueueItem } from '../entity';
import { isStorableTimestamp, parseTimestamp, STORABLE_TIMESTAMP } from '../codec/timestamp';
import { InputValidationError } from '../errors';
import type { OperatorQueueItemDict, OperatorQueueItemInput, OperatorQueueListOptions, OperatorQueueStatsDict } from '../model/operator-queue.model';
import { optionNames, requireInteger, requireKnownKeys, requireString } from '../model/validate';
import { pyRound, pyTruthy } from '../codec/python-values';
import { BaseRepository } from './base.repository';

const ITEM_COLUMNS =
  'id, agent_name, type, status, priority, title, question, options, context, execution_id, created_at, expires_at, response, response_text, responded_by_id, responded_by_email, responded_at, acknowledged_at';
const INSERT_COLUMNS = ['id', 'agent_name', 'type', 'status', 'priority', 'title', 'question', 'options', 'context', 'execution_id', 'created_at', 'expires_at'];
const REQUIRED_KEYS = ['id', 'title', 'question', 'created_at'] as const;
const TEXT_KEYS = ['id', 'title', 'question', 'type', 'status', 'priority'] as const;
const LIST_OPTIONS = optionNames<OperatorQueueListOptions>({ status: true, type: true, priority: true, agentName: true, since: true, limit: true, offset: true });
const PRIORITY_RANK = `CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END`;

/** Operator requests synced from agents' operator-queue.json files (Python `OperatorQueueOperations`). */
export class OperatorQueueRepository extends BaseRepository {
  /**
   * Inserts the agent's item unless its id exists (later edits are never synced). As Python's INSERT OR
   * IGNORE, an item with a null in a required column (e.g. `"type": null`) is silently not stored.
   * Returns `item.id` in every case. A missing required key throws InputValidationError.
   */
  async createItem(agentName: string, item: OperatorQueueItemInput): Promise<string> {
    requireString('agentName', agentName);
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new InputValidationError('item', 'expected an object');
    for (const key of REQUIRED_KEYS) if (!(key in item)) throw new InputValidationError(`item.${key}`, 'is required');
    for (const key of TEXT_KEYS) {
      const value = item[key];
      if (value !== null && value !== undefined && typeof value !== 'string') throw new InputValidationError(`item.${key}`, 'expected a string or null');
    }
    for (const key of ['created_at', 'expires_at'] as const) {
      const value = item[key];
      if (value !== null && value !== undefined && (typeof value !== 'string' || !isStorableTimestamp(value))) {
        throw new InputValidationError(`item.${key}`, 'expected an ISO-8601 timestamp within the years 1–9999 (UTC)');
      }
    }
    const context = pyTruthy(item.context) ? item.context : null;
    if (context !== null && (typeof context !== 'object' || Array.isArray(context))) throw new InputValidationError('item.context', 'expected an object');
    const row: Record<string, unknown> = {
      id: item.id,
      agent_name: agentName,
      type: 'type' in item ? item.type : 'question',
      status: 'status' in item ? item.status : 'pending',
      priority: 'priority' in item ? item.priority : 'medium',
      title: item.title,
      question: item.question,
      options: pyTruthy(item.options) ? this.encode(OperatorQueueItem, 'options', item.options) : null,
      context: context ? this.encode(OperatorQueueItem, 'context', context) : null,
      execution_id: context?.execution_id === null || context?.execution_id === undefined ? null : String(context.execution_id),
      created_at: this.encode(OperatorQueueItem, 'created_at', item.created_at),
      expires_at: this.encode(OperatorQueueItem, 'expires_at', item.expires_at ?? null),
    };
    // INSERT OR IGNORE also ignored NOT NULL violations: skip such an item without writing.
    const notNull = ['id', 'agent_name', 'type', 'status', 'priority', 'title', 'question', 'created_at'];
    if (notNull.some((c) => row[c] === null || row[c] === undefined)) return item.id;
    await this.execute(
      `INSERT INTO operator_queue (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`,
      INSERT_COLUMNS.map((c) => row[c]),
    );
    return item.id;
  }

  async getItem(itemId: string): Promise<OperatorQueueItemDict | null> {
    const rows = await this.select<Record<string, unknown>>(`SELECT ${ITEM_COLUMNS} FROM operator_queue WHERE id = ?`, [itemId]);
    return rows.length ? this.toItem(rows[0]) : null;
  }

  /**
   * Pending items first, then by priority (critical..low, others last), then newest first.
   * @param opts Python's keyword arguments: status, type, priority, agentName, since, limit (100), offset (0).
   */
  async listItems(opts: OperatorQueueListOptions = {}): Promise<OperatorQueueItemDict[]> {
    requireKnownKeys('opts', opts, LIST_OPTIONS, 'listItems');
    const { status, type, priority, agentName, since, limit = 100, offset = 0 } = opts;
    requireInteger('limit', limit);
    requireInteger('offset', offset, { min: 0 });
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [['status', status], ['type', type], ['priority', priority], ['agent_name', agentName]] as const) {
      if (value) {
        where.push(`${column} = ?`);
        params.push(value);
      }
    }
    if (since) {
      if (!isStorableTimestamp(since)) throw new InputValidationError('since', `expected ${STORABLE_TIMESTAMP}`);
      const sinceDate = since instanceof Date ? since : parseTimestamp(since)!;
      where.push(`${this.sql.instant('created_at')} >= ${this.sql.instant('?')}`);
      params.push(this.encode(OperatorQueueItem, 'created_at', sinceDate));
    }
    const rows = await this.select<Record<string, unknown>>(
      ...this.withLimit(
        `SELECT ${ITEM_COLUMNS} FROM operator_queue ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY CASE status WHEN 'pending' THEN 0 ELSE 1 END, ${PRIORITY_RANK}, ${this.sql.instantOrder('created_at')} DESC, id DESC`,
        params,
        limit,
        offset,
      ),
    );
    return rows.map((row) => this.toItem(row));
  }

  /**
   * Records the operator's answer on a pending item. Missing id: null; an item that is not pending is
   * returned unchanged (the caller compares the status).
   */
  async respondToItem(itemId: string, response: string, responseText: string | null, respondedById: string, respondedByEmail: string): Promise<OperatorQueueItemDict | null> {
    requireString('itemId', itemId);
    requireString('response', response, { allowEmpty: true });
    if (responseText !== null && responseText !== undefined) requireString('responseText', responseText, { allowEmpty: true });
    // Python passes str(user.id); a number is stored as its text as SQLite's TEXT affinity did.
    const byId = typeof respondedById === 'number' ? String(respondedById) : requireString('respondedById', respondedById, { allowEmpty: true });
    requireString('respondedByEmail', respondedByEmail, { allowEmpty: true });
    await this.execute(
      `UPDATE operator_queue SET status = 'responded', response = ?, response_text = ?, responded_by_id = ?, responded_by_email = ?, responded_at = ?
       WHERE id = ? AND status = 'pending'`,
      [response, responseText ?? null, byId, respondedByEmail, this.encode(OperatorQueueItem, 'responded_at', this.now()), itemId],
    );
    return this.getItem(itemId);
  }

  /** Cancels a pending item. Missing id: null; an item that is not pending is returned unchanged. */
  async cancelItem(itemId: string): Promise<OperatorQueueItemDict | null> {
    await this.execute(`UPDATE operator_queue SET status = 'cancelled' WHERE id = ? AND status = 'pending'`, [itemId]);
    return this.getItem(itemId);
  }

  /** responded -> acknowledged; false for any other status or a missing id. */
  async markAcknowledged(itemId: string): Promise<boolean> {
    const { affected } = await this.execute(`UPDATE operator_queue SET status = 'acknowledged', acknowledged_at = ? WHERE id = ? AND status = 'responded'`, [
      this.encode(OperatorQueueItem, 'acknowledged_at', this.now()),
      itemId,
    ]);
    return affected > 0;
  }

  /** Expires pending items whose expires_at is before now (compared as times, whatever the agent's format). */
  async markExpired(): Promise<number> {
    const { affected } = await this.execute(
      `UPDATE operator_queue SET status = 'expired' WHERE status = 'pending' AND expires_at IS NOT NULL AND ${this.sql.instant('expires_at')} < ${this.sql.instant('?')}`,
      [this.encode(OperatorQueueItem, 'expires_at', this.now())],
    );
    return affected;
  }

  /** Counts by status (all rows) and by type/priority/agent (pending rows), mean response time, responses today (UTC). */
  async getStats(): Promise<OperatorQueueStatsDict> {
    const grouped = async (column: string, pendingOnly: boolean) => {
      const rows = await this.select<{ key: string; n: unknown }>(
        `SELECT ${column} AS key, COUNT(*) AS n FROM operator_queue ${pendingOnly ? `WHERE status = 'pending'` : ''} GROUP BY ${column} ORDER BY ${column}`,
      );
      return Object.fromEntries(rows.map((r) => [r.key, Number(r.n)])) as Record<string, number>;
    };
    const seconds = `${this.sql.epochSeconds('responded_at')} - ${this.sql.epochSeconds('created_at')}`;
    const [{ avg }] = await this.select<{ avg: unknown }>(`SELECT AVG(${seconds}) AS avg FROM operator_queue WHERE responded_at IS NOT NULL`);
    const now = this.now();
    const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const [{ n: today }] = await this.select<{ n: unknown }>(
      `SELECT COUNT(*) AS n FROM operator_queue WHERE responded_at IS NOT NULL AND ${this.sql.instant('responded_at')} >= ${this.sql.instant('?')}`,
      [this.encode(OperatorQueueItem, 'responded_at', midnight)],
    );
    const byStatus = await grouped('status', false);
    const avgSeconds = avg === null || avg === undefined ? 0 : Number(avg);
    return {
      by_status: byStatus,
      by_type: await grouped('type', true),
      by_priority: await grouped('priority', true),
      by_agent: await grouped('agent_name', true),
      pending_count: byStatus.pending ?? 0,
      // Python: round(avg, 1) if avg else None, so an average of exactly 0 is null too.
      avg_response_seconds: avgSeconds ? pyRound(avgSeconds, 1) : null,
      responded_today: Number(today),
    };
  }

  async getPendingItemIds(): Promise<string[]> {
    const rows = await this.select<{ id: string }>(`SELECT id FROM operator_queue WHERE status = 'pending'`);
    return rows.map((r) => r.id);
  }

  /** The agent's answered items that the sync service has not acknowledged yet. */
  async getRespondedItemsForAgent(agentName: string): Promise<OperatorQueueItemDict[]> {
    const rows = await this.select<Record<string, unknown>>(`SELECT ${ITEM_COLUMNS} FROM operator_queue WHERE agent_name = ? AND status = 'responded'`, [
      agentName,
    ]);
    return rows.map((row) => this.toItem(row));
  }

  async itemExists(itemId: string): Promise<boolean> {
    const rows = await this.select(`SELECT 1 AS one FROM operator_queue WHERE id = ?`, [itemId]);
    return rows.length > 0;
  }

  private toItem(row: Record<string, unknown>): OperatorQueueItemDict {
    const item = this.decodeRow<OperatorQueueItemDict>(OperatorQueueItem, row);
    return { ...item, options: item.options ?? null, context: item.context ?? null };
  }
}
