import { IsArray, IsBoolean, IsOptional, IsString } from 'class-validator';

/** Input of SystemViewRepository.createView (Python `SystemViewCreate`). */
export class SystemViewCreate {
  /** Stored after strip (an empty name is allowed, as in Python). */
  @IsString()
  name!: string;

  /** Stored after strip when non-empty, else NULL. */
  @IsOptional()
  @IsString()
  description?: string | null = null;

  @IsOptional()
  @IsString()
  icon?: string | null = null;

  @IsOptional()
  @IsString()
  color?: string | null = null;

  /** Normalised: lower-cased, stripped, blanks dropped, deduplicated, sorted. */
  @IsArray()
  @IsString({ each: true })
  filter_tags!: string[];

  @IsOptional()
  @IsBoolean()
  is_shared?: boolean = false;
}

/** Input of updateView (Python `SystemViewUpdate`): null/undefined leaves a field unchanged; `description: ''` clears it. */
export class SystemViewUpdate {
  @IsOptional()
  @IsString()
  name?: string | null;

  @IsOptional()
  @IsString()
  description?: string | null;

  @IsOptional()
  @IsString()
  icon?: string | null;

  @IsOptional()
  @IsString()
  color?: string | null;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  filter_tags?: string[] | null;

  @IsOptional()
  @IsBoolean()
  is_shared?: boolean | null;
}

/** A saved agent filter (Python `SystemView`). */
export interface SystemView {
  id: string;
  name: string;
  description: string | null;
  icon: string | null;
  color: string | null;
  filter_tags: string[];
  /** `str(users.id)` of the owner. */
  owner_id: string;
  /** `users.email` of the owner; null when the user (or its email) is gone. */
  owner_email: string | null;
  is_shared: boolean;
  /** Distinct agents carrying any of filter_tags (0 when filter_tags is empty). */
  agent_count: number;
  created_at: Date;
  updated_at: Date;
}
