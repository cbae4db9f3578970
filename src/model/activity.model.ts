import { IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString } from 'class-validator';

/** Python `ActivityType` values (stored as the string value). */
export const ACTIVITY_TYPES = [
  'chat_start',
  'chat_end',
  'tool_call',
  'schedule_start',
  'schedule_end',
  'agent_collaboration',
  'execution_cancelled',
  'file_access',
  'model_change',
  'credential_reload',
  'git_sync',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** Python `ActivityState` values. */
export const ACTIVITY_STATES = ['started', 'completed', 'failed'] as const;
export type ActivityState = (typeof ACTIVITY_STATES)[number];

/**
 * Input of ActivityRepository.createActivity (Python `ActivityCreate`). activity_type and
 * activity_state accept any non-empty string, as the Python layer stores raw strings too.
 */
export class ActivityCreate {
  @IsString()
  @IsNotEmpty()
  agent_name!: string;

  @IsString()
  @IsNotEmpty()
  activity_type!: ActivityType | string;

  @IsString()
  @IsIn(ACTIVITY_STATES)
  activity_state?: ActivityState | string = 'started';

  @IsOptional()
  @IsString()
  parent_activity_id?: string | null = null;

  @IsOptional()
  @IsInt()
  user_id?: number | null = null;

  /** user / schedule / agent / system / mcp ... */
  @IsString()
  @IsNotEmpty()
  triggered_by?: string = 'user';

  @IsOptional()
  @IsString()
  related_chat_message_id?: string | null = null;

  @IsOptional()
  @IsString()
  related_execution_id?: string | null = null;

  /** Stored as JSON; an empty object is stored as NULL. */
  @IsOptional()
  @IsObject()
  details?: Record<string, unknown> | null = null;

  @IsOptional()
  @IsString()
  error?: string | null = null;
}

/** An activity as the legacy API returns it (Python `Activity` dict). */
export interface Activity {
  id: string;
  agent_name: string;
  activity_type: string;
  activity_state: string;
  parent_activity_id: string | null;
  started_at: Date;
  completed_at: Date | null;
  duration_ms: number | null;
  user_id: number | null;
  triggered_by: string;
  related_chat_message_id: string | null;
  related_execution_id: string | null;
  details: Record<string, unknown> | null;
  error: string | null;
  created_at: Date | null;
}

/** Optional arguments of completeActivity (Python keyword arguments). */
export interface CompleteActivityOptions {
  /** New activity_state; default 'completed'. Not validated against ActivityState (as in Python). */
  status?: string;
  /** Shallow-merged over the stored details (new keys win). */
  details?: Record<string, unknown> | null;
  /** Stored error; omitted means NULL (clears a stored error), as in Python. */
  error?: string | null;
}

/** Optional filters of getAgentActivities. Empty strings mean no filter. */
export interface AgentActivityFilter {
  activityType?: string | null;
  activityState?: string | null;
  /** Default 100; a negative limit means no limit. */
  limit?: number;
}

/** Optional filters of getActivitiesInRange. Bounds are inclusive instants (a string is parsed as ISO-8601, naive = UTC). */
export interface ActivityRangeFilter {
  startTime?: Date | string | null;
  endTime?: Date | string | null;
  /** An empty list means no type filter. */
  activityTypes?: string[] | null;
  /** Default 100; a negative limit means no limit. */
  limit?: number;
}
