import { AgentActivity } from '../entity';
import { durationMilliseconds } from '../codec/clock';
import { parseJson } from '../codec/python-json';
import { formatTimestamp, isStorableTimestamp, parseTimestamp, STORABLE_TIMESTAMP } from '../codec/timestamp';
import { InputValidationError, InvalidColumnValueError } from '../errors';
import type { Activity, ActivityCreate, ActivityRangeFilter, AgentActivityFilter, CompleteActivityOptions } from '../model/activity.model';
import { ActivityCreate as ActivityCreateModel } from '../model/activity.model';
import { optionNames, requireInteger, requireKnownKeys, requireString, timeFromNow, validateInput } from '../model/validate';
import { BaseRepository } from './base.repository';
import { chunks, uuid4 } from './ids';

const COMPLETE_OPTIONS = optionNames<CompleteActivityOptions>({ status: true, details: true, error: true });
const AGENT_FILTER_OPTIONS = optionNames<AgentActivityFilter>({ activityType: true, activityState: true, limit: true });
const RANGE_FILTER_OPTIONS = optionNames<ActivityRangeFilter>({ startTime: true, endTime: true, activityTypes: true, limit: true });

const ACTIVITY_COLUMNS = `id, agent_name, activity_type, activity_state, parent_activity_id, started_at, completed_at, duration_ms,
  user_id, triggered_by, related_chat_message_id, related_execution_id, details, error, created_at`;

/** Activity stream with parent/child nesting (Python `ActivityOperations`). */
export class ActivityRepository extends BaseRepository {
  /** Records a started activity (started_at = created_at = now) and returns its UUID4 id. */
  async createActivity(activity: ActivityCreate): Promise<string> {
    const input = validateInput(ActivityCreateModel, activity, 'activity');
    const id = uuid4();
    const now = this.encode(AgentActivity, 'started_at', this.now());
    await this.execute(
      `INSERT INTO agent_activities (id, agent_name, activity_type, activity_state, parent_activity_id, started_at, user_id, triggered_by,
         related_chat_message_id, related_execution_id, details, error, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        input.agent_name,
        input.activity_type,
        input.activity_state ?? 'started',
        input.parent_activity_id ?? null,
        now,
        input.user_id ?? null,
        input.triggered_by ?? 'user',
        input.related_chat_message_id ?? null,
        input.related_execution_id ?? null,
        this.encodeDetails(input.details),
        input.error ?? null,
        now,
      ],
    );
    return id;
  }

  /**
   * Completes (or fails: any `status` string) an activity: completed_at = now, duration_ms since
   * started_at, details shallow-merged with `options.details`, error = `options.error` (omitted
   * clears it). No guard on the current state. False when the id is unknown.
   */
  async completeActivity(activityId: string, options: CompleteActivityOptions = {}): Promise<boolean> {
    requireString('activityId', activityId);
    requireKnownKeys('options', options, COMPLETE_OPTIONS, 'completeActivity');
    const status = requireString('status', options.status ?? 'completed');
    if (options.details != null && (typeof options.details !== 'object' || Array.isArray(options.details))) {
      throw new InputValidationError('details', 'expected an object or null');
    }
    if (options.error != null) requireString('error', options.error, { allowEmpty: true });
    return this.atomically(async (repo) => {
      const rows = await repo.select<{ started_us: unknown; details: unknown }>(
        `SELECT ${this.startedMicros()} AS started_us, details FROM agent_activities WHERE id = ?${this.driver === 'postgres' ? ' FOR UPDATE' : ''}`,
        [activityId],
      );
      if (!rows.length) return false;
      const completed = this.now();
      const existing = this.parseDetails(rows[0].details) ?? {};
      const merged = { ...existing, ...(options.details ?? {}) };
      const { affected } = await repo.execute(
        `UPDATE agent_activities SET activity_state = ?, completed_at = ?, duration_ms = ?, details = ?, error = ? WHERE id = ?`,
        [
          status,
          this.encode(AgentActivity, 'completed_at', completed),
          durationMilliseconds(rows[0].started_us, completed),
          this.encodeDetails(merged),
          options.error ?? null,
          activityId,
        ],
      );
      return affected > 0;
    });
  }

  /** One activity; corrupt details JSON throws (as the Python layer raises), it is not read as null. */
  async getActivity(activityId: string): Promise<Activity | null> {
    const rows = await this.select(`SELECT ${ACTIVITY_COLUMNS} FROM agent_activities WHERE id = ?`, [activityId]);
    return rows.length ? this.toActivity(rows[0]) : null;
  }

  /** The agent's activities, newest first; empty filters are ignored. Options: { activityType, activityState, limit = 100 }. */
  async getAgentActivities(agentName: string, options: AgentActivityFilter = {}): Promise<Activity[]> {
    requireKnownKeys('options', options, AGENT_FILTER_OPTIONS, 'getAgentActivities');
    const where = ['agent_name = ?'];
    const params: unknown[] = [agentName];
    if (options.activityType) {
      where.push('activity_type = ?');
      params.push(options.activityType);
    }
    if (options.activityState) {
      where.push('activity_state = ?');
      params.push(options.activityState);
    }
    return this.listActivities(where, params, options.limit ?? 100);
  }

  /**
   * Activities of every agent created within [startTime, endTime] (each bound optional; a string is
   * parsed as ISO-8601, naive = UTC, and compared as an instant), optionally of the given types,
   * newest first. Options: { startTime, endTime, activityTypes, limit = 100 }.
   */
  async getActivitiesInRange(options: ActivityRangeFilter = {}): Promise<Activity[]> {
    requireKnownKeys('options', options, RANGE_FILTER_OPTIONS, 'getActivitiesInRange');
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.startTime) {
      where.push('created_at >= ?');
      params.push(this.lowerBound(this.toInstant('startTime', options.startTime)));
    }
    if (options.endTime) {
      where.push('created_at <= ?');
      params.push(this.upperBound(this.toInstant('endTime', options.endTime)));
    }
    const types = options.activityTypes ?? [];
    if (types.length) {
      // Lists longer than one chunk are OR-ed chunks of IN lists (one statement).
      where.push(`(${chunks(types).map((part) => `activity_type IN (${part.map(() => '?').join(', ')})`).join(' OR ')})`);
      params.push(...types);
    }
    return this.listActivities(where, params, options.limit ?? 100);
  }

  /**
   * Fails every activity still 'started' whose started_at is more than `timeoutMinutes` before now
   * (exactly, on both drivers); details are left alone. Returns the number of activities failed.
   */
  async markStaleActivitiesFailed(timeoutMinutes = 30): Promise<number> {
    requireInteger('timeoutMinutes', timeoutMinutes, { min: 0 });
    return this.atomically(async (repo) => {
      const now = this.now();
      const threshold = timeFromNow('timeoutMinutes', now, -timeoutMinutes, 60_000);
      const stale = await repo.select<{ id: string; started_us: unknown }>(
        `SELECT id, ${this.startedMicros()} AS started_us FROM agent_activities WHERE activity_state = ? AND started_at < ?`,
        ['started', this.lowerBound(threshold)],
      );
      let failed = 0;
      for (const part of chunks(stale, 300)) {
        const { affected } = await repo.execute(
          `UPDATE agent_activities SET activity_state = ?, completed_at = ?, error = ?,
             duration_ms = CASE id ${part.map(() => 'WHEN ? THEN CAST(? AS INTEGER)').join(' ')} END
           WHERE activity_state = ? AND id IN (${part.map(() => '?').join(', ')})`,
          [
            'failed',
            this.encode(AgentActivity, 'completed_at', now),
            `Marked as failed by cleanup: exceeded ${timeoutMinutes}-minute timeout`,
            ...part.flatMap((row) => [row.id, durationMilliseconds(row.started_us, now)]),
            'started',
            ...part.map((row) => row.id),
          ],
        );
        failed += affected;
      }
      return failed;
    });
  }

  /** The agent's 'started' activities, newest first, at most 50. */
  async getCurrentActivities(agentName: string): Promise<Activity[]> {
    return this.getAgentActivities(agentName, { activityState: 'started', limit: 50 });
  }

  private async listActivities(where: string[], params: unknown[], limit: number): Promise<Activity[]> {
    requireInteger('limit', limit);
    const rows = await this.select(
      ...this.withLimit(
        `SELECT ${ACTIVITY_COLUMNS} FROM agent_activities${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, id DESC`,
        params,
        limit,
      ),
    );
    return rows.map((row) => this.toActivity(row));
  }

  private toActivity(row: Record<string, unknown>): Activity {
    const { details, ...rest } = row;
    const activity = this.decodeRow<Activity>(AgentActivity, rest);
    return {
      ...activity,
      duration_ms: activity.duration_ms == null ? null : Number(activity.duration_ms),
      user_id: activity.user_id == null ? null : Number(activity.user_id),
      details: this.parseDetails(details),
    };
  }

  /** `json.loads(details) if details else None`: invalid JSON raises, as in Python. */
  private parseDetails(raw: unknown): Record<string, unknown> | null {
    if (raw === null || raw === undefined || raw === '') return null;
    if (typeof raw !== 'string') return raw as Record<string, unknown>; // PostgreSQL jsonb, parsed by pg
    try {
      return parseJson(raw) as Record<string, unknown>;
    } catch {
      throw new InvalidColumnValueError('agent_activities.details', 'invalid JSON');
    }
  }

  /** details is stored only when non-empty ({} and null are NULL). pg would send objects fine, but arrays not: stringify on PostgreSQL. */
  private encodeDetails(details: Record<string, unknown> | null | undefined): unknown {
    if (!details || !Object.keys(details).length) return null;
    return this.encode(AgentActivity, 'details', details);
  }

  /** started_at in epoch microseconds, for durations measured as Python does. */
  private startedMicros(): string {
    return this.sql.epochMicroseconds('started_at');
  }

  private toInstant(field: string, value: Date | string): Date {
    if (!isStorableTimestamp(value)) throw new InputValidationError(field, `expected ${STORABLE_TIMESTAMP}`);
    return value instanceof Date ? value : parseTimestamp(value)!;
  }

  /*
   * started_at / created_at hold Z6 rows and older naive rows on SQLite. Compared as text, a bound in
   * naive shape is exact for `col >= bound` / `col < bound` against both shapes, and a bound in Z6
   * shape is exact for `col <= bound` / `col > bound` (a Z6 value sorts just after the naive value of
   * the same instant), so comparisons are by instant and still use the index.
   */
  private lowerBound(date: Date): unknown {
    return this.driver === 'sqlite' ? formatTimestamp(date, 'naive') : this.encode(AgentActivity, 'created_at', date);
  }

  private upperBound(date: Date): unknown {
    return this.driver === 'sqlite' ? formatTimestamp(date, 'Z6') : this.encode(AgentActivity, 'created_at', date);
  }
}
