import { SystemView as SystemViewEntity } from '../entity';
import type { SystemView, SystemViewCreate, SystemViewUpdate } from '../model/system-view.model';
import { SystemViewCreate as SystemViewCreateModel, SystemViewUpdate as SystemViewUpdateModel } from '../model/system-view.model';
import { requireString, validateInput } from '../model/validate';
import { BaseRepository } from './base.repository';
import { chunks, tokenUrlsafe } from './ids';
import { normalizedTagSet, pyStrip } from './tag.repository';

const VIEW_SELECT = `SELECT sv.id, sv.name, sv.description, sv.icon, sv.color, sv.filter_tags, sv.owner_id, sv.is_shared,
       sv.created_at, sv.updated_at, u.email AS owner_email
  FROM system_views sv LEFT JOIN users u ON sv.owner_id = CAST(u.id AS TEXT)`;

type ViewRow = Omit<SystemView, 'agent_count'>;

/** Saved agent filters by tags, private or shared (Python `SystemViewOperations`). */
export class SystemViewRepository extends BaseRepository {
  async createView(ownerId: string, data: SystemViewCreate): Promise<SystemView | null> {
    requireString('ownerId', ownerId);
    const input = validateInput(SystemViewCreateModel, data, 'data');
    const id = `sv_${tokenUrlsafe(12)}`;
    const now = this.now();
    await this.execute(
      `INSERT INTO system_views (id, name, description, icon, color, filter_tags, owner_id, is_shared, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        pyStrip(input.name),
        input.description ? pyStrip(input.description) : null,
        input.icon ?? null,
        input.color ?? null,
        this.encodeTags(normalizedTagSet(input.filter_tags)),
        ownerId,
        this.encode(SystemViewEntity, 'is_shared', input.is_shared ?? false),
        this.encode(SystemViewEntity, 'created_at', now),
        this.encode(SystemViewEntity, 'updated_at', now),
      ],
    );
    return this.getView(id);
  }

  async getView(viewId: string): Promise<SystemView | null> {
    const rows = await this.select(`${VIEW_SELECT} WHERE sv.id = ?`, [viewId]);
    return rows.length ? (await this.withAgentCounts(rows))[0] : null;
  }

  /** Views the user owns plus every shared view, by name (code-point order). */
  async listUserViews(userId: string): Promise<SystemView[]> {
    const rows = await this.select(`${VIEW_SELECT} WHERE sv.owner_id = ? OR sv.is_shared = ? ORDER BY ${this.sql.binary('sv.name')} ASC, sv.id`, [
      userId,
      this.encode(SystemViewEntity, 'is_shared', true),
    ]);
    return this.withAgentCounts(rows);
  }

  /** Every view, by name (for admins). */
  async listAllViews(): Promise<SystemView[]> {
    return this.withAgentCounts(await this.select(`${VIEW_SELECT} ORDER BY ${this.sql.binary('sv.name')} ASC, sv.id`));
  }

  /**
   * Applies the fields that are not null/undefined (see SystemViewUpdate) and bumps updated_at.
   * With nothing to apply it returns the view untouched. Null when the view does not exist.
   */
  async updateView(viewId: string, data: SystemViewUpdate): Promise<SystemView | null> {
    requireString('viewId', viewId);
    const input = validateInput(SystemViewUpdateModel, data ?? {}, 'data');
    const sets: string[] = [];
    const params: unknown[] = [];
    const set = (column: string, value: unknown) => {
      sets.push(`${column} = ?`);
      params.push(value);
    };
    if (input.name != null) set('name', pyStrip(input.name));
    if (input.description != null) set('description', input.description ? pyStrip(input.description) : null);
    if (input.icon != null) set('icon', input.icon);
    if (input.color != null) set('color', input.color);
    if (input.filter_tags != null) set('filter_tags', this.encodeTags(normalizedTagSet(input.filter_tags)));
    if (input.is_shared != null) set('is_shared', this.encode(SystemViewEntity, 'is_shared', input.is_shared));
    if (!sets.length) return this.getView(viewId);
    set('updated_at', this.encode(SystemViewEntity, 'updated_at', this.now()));
    const { affected } = await this.execute(`UPDATE system_views SET ${sets.join(', ')} WHERE id = ?`, [...params, viewId]);
    return affected ? this.getView(viewId) : null;
  }

  async deleteView(viewId: string): Promise<boolean> {
    const { affected } = await this.execute(`DELETE FROM system_views WHERE id = ?`, [viewId]);
    return affected > 0;
  }

  async getViewOwner(viewId: string): Promise<string | null> {
    const rows = await this.select<{ owner_id: string }>(`SELECT owner_id FROM system_views WHERE id = ?`, [viewId]);
    return rows.length ? rows[0].owner_id : null;
  }

  /** Admins may edit anything (no lookup, even a missing view); others only their own views (string equality). */
  async canUserEditView(userId: string, viewId: string, isAdmin = false): Promise<boolean> {
    if (isAdmin) return true;
    return (await this.getViewOwner(viewId)) === userId;
  }

  /** Whether the view exists and is the user's own or shared (admin status is the router's business). */
  async canUserView(userId: string, viewId: string): Promise<boolean> {
    const rows = await this.select(`SELECT 1 AS ok FROM system_views WHERE id = ? AND (owner_id = ? OR is_shared = ?)`, [
      viewId,
      userId,
      this.encode(SystemViewEntity, 'is_shared', true),
    ]);
    return rows.length > 0;
  }

  /**
   * Decodes view rows and adds agent_count: distinct agents carrying any of a view's filter tags.
   * One query per 500 distinct tags for the whole list, instead of the Python layer's query per view.
   */
  private async withAgentCounts(rows: Record<string, unknown>[]): Promise<SystemView[]> {
    const views = rows.map((row) => {
      const view = this.decodeRow<ViewRow & { filter_tags: unknown }>(SystemViewEntity, row);
      return { ...view, filter_tags: Array.isArray(view.filter_tags) ? (view.filter_tags as string[]) : [], is_shared: Boolean(view.is_shared) };
    });
    const tags = [...new Set(views.flatMap((v) => v.filter_tags))];
    const agentsByTag = new Map<string, string[]>();
    for (const part of chunks(tags)) {
      const found = await this.select<{ tag: string; agent_name: string }>(
        `SELECT DISTINCT tag, agent_name FROM agent_tags WHERE tag IN (${part.map(() => '?').join(', ')})`,
        part,
      );
      for (const { tag, agent_name } of found) agentsByTag.set(tag, [...(agentsByTag.get(tag) ?? []), agent_name]);
    }
    return views.map(({ owner_email, ...view }) => ({
      id: view.id,
      name: view.name,
      description: view.description,
      icon: view.icon,
      color: view.color,
      filter_tags: view.filter_tags,
      owner_id: view.owner_id,
      owner_email: (owner_email as string | null) ?? null,
      is_shared: view.is_shared,
      agent_count: new Set(view.filter_tags.flatMap((t) => agentsByTag.get(t) ?? [])).size,
      created_at: view.created_at,
      updated_at: view.updated_at,
    }));
  }

  /**
   * The JSON parameter of filter_tags. Work-around: the shared PostgreSQL json codec passes values
   * through, and pg sends a JS array as a PostgreSQL array literal, which jsonb rejects.
   */
  private encodeTags(tags: string[]): unknown {
    return this.encode(SystemViewEntity, 'filter_tags', tags);
  }
}
