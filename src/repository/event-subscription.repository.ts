import { AgentEvent as AgentEventEntity, AgentEventSubscription } from '../entity';
import { InputValidationError } from '../errors';
import type { AgentEvent, EventSubscription } from '../model/event-subscription.model';
import { EventSubscriptionCreate } from '../model/event-subscription.model';
import { requireInteger, requireString, validateInput } from '../model/validate';
import { BaseRepository } from './base.repository';
import { tokenUrlsafe } from './ids';

const SUBSCRIPTION_COLUMNS = 'id, subscriber_agent, source_agent, event_type, target_message, enabled, created_at, updated_at, created_by';
const EVENT_COLUMNS = 'id, source_agent, event_type, payload, subscriptions_triggered, created_at';

/** Agent pub/sub subscriptions and emitted events (Python `EventSubscriptionOperations`). */
export class EventSubscriptionRepository extends BaseRepository {
  /**
   * Inserts a subscription; a duplicate (subscriber, source, event_type) throws UniqueConstraintError
   * ("UNIQUE constraint failed: ..."). Returns the model built from the inputs.
   */
  async createSubscription(subscriberAgent: string, data: EventSubscriptionCreate, createdBy: string): Promise<EventSubscription> {
    requireString('subscriberAgent', subscriberAgent);
    const input = validateInput(EventSubscriptionCreate, data, 'data');
    requireString('createdBy', createdBy);
    const id = `esub_${tokenUrlsafe(12)}`;
    const now = this.encode(AgentEventSubscription, 'created_at', this.now());
    const enabled = input.enabled ?? true;
    await this.execute(
      `INSERT INTO agent_event_subscriptions (${SUBSCRIPTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, subscriberAgent, input.source_agent, input.event_type, input.target_message, this.encode(AgentEventSubscription, 'enabled', enabled), now, now, createdBy],
    );
    const at = this.decode<Date>(AgentEventSubscription, 'created_at', now);
    return {
      id,
      subscriber_agent: subscriberAgent,
      source_agent: input.source_agent,
      event_type: input.event_type,
      target_message: input.target_message,
      enabled,
      created_at: at,
      updated_at: at,
      created_by: createdBy,
    };
  }

  async getSubscription(subscriptionId: string): Promise<EventSubscription | null> {
    const rows = await this.select<Record<string, unknown>>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM agent_event_subscriptions WHERE id = ?`, [subscriptionId]);
    return rows.length ? this.toSubscription(rows[0]) : null;
  }

  /** Newest first; each filter applies only when truthy. */
  async listSubscriptions(subscriberAgent: string | null = null, sourceAgent: string | null = null, enabledOnly = false, limit = 100): Promise<EventSubscription[]> {
    requireInteger('limit', limit);
    const where: string[] = [];
    const params: unknown[] = [];
    if (subscriberAgent) {
      where.push('subscriber_agent = ?');
      params.push(subscriberAgent);
    }
    if (sourceAgent) {
      where.push('source_agent = ?');
      params.push(sourceAgent);
    }
    if (enabledOnly) {
      where.push('enabled = ?');
      params.push(this.encode(AgentEventSubscription, 'enabled', true));
    }
    const rows = await this.select<Record<string, unknown>>(
      ...this.withLimit(`SELECT ${SUBSCRIPTION_COLUMNS} FROM agent_event_subscriptions ${whereClause(where)} ORDER BY ${this.newestFirst()}`, params, limit),
    );
    return rows.map((row) => this.toSubscription(row));
  }

  /**
   * Updates the given (non-null) fields and updated_at. Nothing to update: the subscription as it is
   * (updated_at untouched). Unknown id: null. A colliding event_type throws UniqueConstraintError.
   */
  async updateSubscription(
    subscriptionId: string,
    eventType: string | null = null,
    targetMessage: string | null = null,
    enabled: boolean | null = null,
  ): Promise<EventSubscription | null> {
    requireString('subscriptionId', subscriptionId);
    const sets: string[] = [];
    const params: unknown[] = [];
    if (eventType !== null && eventType !== undefined) {
      sets.push('event_type = ?');
      params.push(requireString('eventType', eventType));
    }
    if (targetMessage !== null && targetMessage !== undefined) {
      sets.push('target_message = ?');
      params.push(requireString('targetMessage', targetMessage));
    }
    if (enabled !== null && enabled !== undefined) {
      if (typeof enabled !== 'boolean') throw new InputValidationError('enabled', `expected a boolean, got ${typeof enabled}`);
      sets.push('enabled = ?');
      params.push(this.encode(AgentEventSubscription, 'enabled', enabled));
    }
    if (!sets.length) return this.getSubscription(subscriptionId);
    const { affected } = await this.execute(`UPDATE agent_event_subscriptions SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`, [
      ...params,
      this.encode(AgentEventSubscription, 'updated_at', this.now()),
      subscriptionId,
    ]);
    return affected ? this.getSubscription(subscriptionId) : null;
  }

  async deleteSubscription(subscriptionId: string): Promise<boolean> {
    const { affected } = await this.execute(`DELETE FROM agent_event_subscriptions WHERE id = ?`, [subscriptionId]);
    return affected > 0;
  }

  /** Removes the agent's subscriptions and the subscriptions to it; events are kept. */
  async deleteAgentSubscriptions(agentName: string): Promise<number> {
    const { affected } = await this.execute(`DELETE FROM agent_event_subscriptions WHERE subscriber_agent = ? OR source_agent = ?`, [agentName, agentName]);
    return affected;
  }

  /** Enabled subscriptions with exactly this source and event type (no patterns, case-sensitive). */
  async findMatchingSubscriptions(sourceAgent: string, eventType: string): Promise<EventSubscription[]> {
    const rows = await this.select<Record<string, unknown>>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM agent_event_subscriptions WHERE source_agent = ? AND event_type = ? AND enabled = ? ORDER BY created_at, id`,
      [sourceAgent, eventType, this.encode(AgentEventSubscription, 'enabled', true)],
    );
    return rows.map((row) => this.toSubscription(row));
  }

  /** Stores the event; an empty payload is stored as NULL but returned as given. */
  async createEvent(sourceAgent: string, eventType: string, payload: Record<string, unknown> | null = null, subscriptionsTriggered = 0): Promise<AgentEvent> {
    requireString('sourceAgent', sourceAgent);
    requireString('eventType', eventType);
    requireInteger('subscriptionsTriggered', subscriptionsTriggered);
    if (payload !== null && payload !== undefined && (typeof payload !== 'object' || Array.isArray(payload))) {
      throw new InputValidationError('payload', 'expected an object or null');
    }
    const id = `evt_${tokenUrlsafe(12)}`;
    const now = this.encode(AgentEventEntity, 'created_at', this.now());
    const stored = payload && Object.keys(payload).length ? payload : null; // Python: only if truthy
    await this.execute(`INSERT INTO agent_events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`, [
      id,
      sourceAgent,
      eventType,
      this.encode(AgentEventEntity, 'payload', stored),
      subscriptionsTriggered,
      now,
    ]);
    return {
      id,
      source_agent: sourceAgent,
      event_type: eventType,
      payload: payload ?? null,
      subscriptions_triggered: subscriptionsTriggered,
      created_at: this.decode<Date>(AgentEventEntity, 'created_at', now),
    };
  }

  /** Newest first; truthy filters only. */
  async listEvents(sourceAgent: string | null = null, eventType: string | null = null, limit = 50): Promise<AgentEvent[]> {
    requireInteger('limit', limit);
    const where: string[] = [];
    const params: unknown[] = [];
    if (sourceAgent) {
      where.push('source_agent = ?');
      params.push(sourceAgent);
    }
    if (eventType) {
      where.push('event_type = ?');
      params.push(eventType);
    }
    const rows = await this.select<Record<string, unknown>>(
      ...this.withLimit(`SELECT ${EVENT_COLUMNS} FROM agent_events ${whereClause(where)} ORDER BY ${this.newestFirst()}`, params, limit),
    );
    return rows.map((row) => this.toEvent(row));
  }

  /**
   * naive+Z text drops the fraction at whole seconds, and '…:01Z' sorts after '…:01.5Z' as text:
   * order by the instant (to the microsecond), not by text.
   */
  private newestFirst(): string {
    return `${this.sql.instantOrder('created_at')} DESC, id DESC`;
  }

  private toSubscription(row: Record<string, unknown>): EventSubscription {
    const s = this.decodeRow<EventSubscription>(AgentEventSubscription, row);
    return { ...s, enabled: Boolean(s.enabled) };
  }

  private toEvent(row: Record<string, unknown>): AgentEvent {
    const e = this.decodeRow<AgentEvent & { payload: unknown }>(AgentEventEntity, row);
    // Python: json.loads only when truthy; anything that is not an object (or invalid JSON) reads as null.
    const payload = e.payload && typeof e.payload === 'object' && !Array.isArray(e.payload) ? (e.payload as Record<string, unknown>) : null;
    return { ...e, payload, subscriptions_triggered: Number(e.subscriptions_triggered ?? 0) };
  }
}

function whereClause(conditions: string[]): string {
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}
