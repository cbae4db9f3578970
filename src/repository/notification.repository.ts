import { AgentNotification } from '../entity';
import { InputValidationError } from '../errors';
import type { AgentNotificationFilter, Notification, NotificationCreate, NotificationFilter } from '../model/notification.model';
import { NotificationCreate as NotificationCreateModel } from '../model/notification.model';
import { optionNames, requireInteger, requireKnownKeys, requireString, validateInput } from '../model/validate';
import { BaseRepository } from './base.repository';
import { chunks, tokenUrlsafe } from './ids';

const LIST_OPTIONS = optionNames<NotificationFilter>({ agentName: true, status: true, priority: true, category: true, limit: true });
const AGENT_LIST_OPTIONS = optionNames<AgentNotificationFilter>({ status: true, limit: true });

const NOTIFICATION_COLUMNS = `id, agent_name, notification_type, title, message, priority, category, metadata, status,
  created_at, acknowledged_at, acknowledged_by`;
const TITLE_MAX_CODE_POINTS = 200;

/** Structured notifications sent by agents, and monitoring alerts (category 'health') (Python `NotificationOperations`). */
export class NotificationRepository extends BaseRepository {
  /**
   * Stores a pending notification (title cut to 200 code points, `{}` metadata stored as NULL) and
   * returns it as built in memory: metadata `{}` is returned as `{}` here, read back later as null.
   */
  async createNotification(agentName: string, data: NotificationCreate): Promise<Notification> {
    requireString('agentName', agentName);
    const input = validateInput(NotificationCreateModel, data, 'data');
    const createdAt = this.encode(AgentNotification, 'created_at', this.now());
    const notification: Notification = {
      id: `notif_${tokenUrlsafe(12)}`,
      agent_name: agentName,
      notification_type: input.notification_type,
      title: Array.from(input.title).slice(0, TITLE_MAX_CODE_POINTS).join(''),
      message: input.message ?? null,
      priority: input.priority ?? 'normal',
      category: input.category ?? null,
      metadata: input.metadata ?? null,
      status: 'pending',
      created_at: this.decode(AgentNotification, 'created_at', createdAt),
      acknowledged_at: null,
      acknowledged_by: null,
    };
    const n = notification;
    await this.execute(
      `INSERT INTO agent_notifications (id, agent_name, notification_type, title, message, priority, category, metadata, status, created_at,
         acknowledged_at, acknowledged_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
      [n.id, n.agent_name, n.notification_type, n.title, n.message, n.priority, n.category, this.encodeMetadata(n.metadata), n.status, createdAt],
    );
    return notification;
  }

  async getNotification(notificationId: string): Promise<Notification | null> {
    const rows = await this.select(`SELECT ${NOTIFICATION_COLUMNS} FROM agent_notifications WHERE id = ?`, [notificationId]);
    return rows.length ? this.toNotification(rows[0]) : null;
  }

  /**
   * Notifications newest first, each filter applied only when non-empty.
   * Options: { agentName, status, priority (list, IN), category, limit = 100 }.
   */
  async listNotifications(options: NotificationFilter = {}): Promise<Notification[]> {
    requireKnownKeys('options', options, LIST_OPTIONS, 'listNotifications');
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.agentName) {
      where.push('agent_name = ?');
      params.push(options.agentName);
    }
    if (options.status) {
      where.push('status = ?');
      params.push(options.status);
    }
    if (options.priority && options.priority.length) {
      if (!Array.isArray(options.priority)) throw new InputValidationError('priority', 'expected an array of strings');
      where.push(`(${chunks(options.priority).map((part) => `priority IN (${part.map(() => '?').join(', ')})`).join(' OR ')})`);
      params.push(...options.priority);
    }
    if (options.category) {
      where.push('category = ?');
      params.push(options.category);
    }
    const limit = requireInteger('limit', options.limit ?? 100);
    const rows = await this.select(
      ...this.withLimit(
        `SELECT ${NOTIFICATION_COLUMNS} FROM agent_notifications${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ${this.sql.instantOrder('created_at')} DESC, id DESC`,
        params,
        limit,
      ),
    );
    return rows.map((row) => this.toNotification(row));
  }

  /** = listNotifications({ agentName, status, limit }); an empty agentName means every agent. Options: { status, limit = 50 }. */
  async listAgentNotifications(agentName: string, options: AgentNotificationFilter = {}): Promise<Notification[]> {
    requireKnownKeys('options', options, AGENT_LIST_OPTIONS, 'listAgentNotifications');
    return this.listNotifications({ agentName, status: options.status, limit: options.limit ?? 50 });
  }

  /**
   * Acknowledges a pending notification. Idempotent: an acknowledged or dismissed one is returned
   * unchanged (the first acknowledgement's time and user stay). Null when the id is unknown.
   */
  async acknowledgeNotification(notificationId: string, acknowledgedBy: string): Promise<Notification | null> {
    requireString('notificationId', notificationId);
    requireString('acknowledgedBy', acknowledgedBy);
    await this.execute(`UPDATE agent_notifications SET status = ?, acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND status = ?`, [
      'acknowledged',
      this.encode(AgentNotification, 'acknowledged_at', this.now()),
      acknowledgedBy,
      notificationId,
      'pending',
    ]);
    return this.getNotification(notificationId);
  }

  /** Dismisses a notification in any status, overwriting acknowledged_at/by. Null when the id is unknown. */
  async dismissNotification(notificationId: string, dismissedBy: string): Promise<Notification | null> {
    requireString('notificationId', notificationId);
    requireString('dismissedBy', dismissedBy);
    const { affected } = await this.execute(`UPDATE agent_notifications SET status = ?, acknowledged_at = ?, acknowledged_by = ? WHERE id = ?`, [
      'dismissed',
      this.encode(AgentNotification, 'acknowledged_at', this.now()),
      dismissedBy,
      notificationId,
    ]);
    return affected ? this.getNotification(notificationId) : null;
  }

  async deleteAgentNotifications(agentName: string): Promise<number> {
    return (await this.execute(`DELETE FROM agent_notifications WHERE agent_name = ?`, [agentName])).affected;
  }

  /** Pending notifications, of one agent when agentName is non-empty, else of all agents. */
  async countPendingNotifications(agentName: string | null = null): Promise<number> {
    const rows = await this.select<{ n: unknown }>(
      `SELECT COUNT(*) AS n FROM agent_notifications WHERE status = ?${agentName ? ' AND agent_name = ?' : ''}`,
      agentName ? ['pending', agentName] : ['pending'],
    );
    return Number(rows[0].n);
  }

  private toNotification(row: Record<string, unknown>): Notification {
    const n = this.decodeRow<Notification>(AgentNotification, row);
    // Python: json.loads if the text is truthy, invalid JSON -> None (the SQLite codec already gives null).
    const metadata = n.metadata && typeof n.metadata === 'object' && !Array.isArray(n.metadata) ? n.metadata : null;
    return { ...n, metadata };
  }

  /** metadata is stored only when non-empty; stringified on PostgreSQL (raw pg parameters are not JSON-encoded for jsonb). */
  private encodeMetadata(metadata: Record<string, unknown> | null): unknown {
    if (!metadata || !Object.keys(metadata).length) return null;
    return this.encode(AgentNotification, 'metadata', metadata);
  }
}
