import { CURRENT_TIMESTAMP, BoolColumn, Index, JsonColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `system_views`: Saved agent filters (by tags), private or shared. */
@Table('system_views')
@Index('idx_system_views_owner', ['owner_id'])
export class SystemView {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'name', nullable: false })
  name!: string;

  @TextColumn({ name: 'description' })
  description!: string | null;

  @TextColumn({ name: 'icon' })
  icon!: string | null;

  @TextColumn({ name: 'color' })
  color!: string | null;

  @JsonColumn({ name: 'filter_tags', nullable: false })
  filterTags!: unknown;

  @TextColumn({ name: 'owner_id', nullable: false })
  ownerId!: string;

  @BoolColumn({ name: 'is_shared', default: false })
  isShared!: boolean | null;

  @TimestampColumn({ name: 'created_at', default: CURRENT_TIMESTAMP, format: 'naive+Z' })
  createdAt!: Date | null;

  @TimestampColumn({ name: 'updated_at', default: CURRENT_TIMESTAMP, format: 'naive+Z' })
  updatedAt!: Date | null;
}
