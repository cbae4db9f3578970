import { IsBoolean, IsNotEmpty, IsOptional, IsString } from 'class-validator';

/** Models of the multi-agent Slack tables (Python `SlackChannelOperations`). Timestamps are Dates. */

/** A slack_workspaces row with its bot token DECRYPTED ("" when decryption gave nothing). */
export interface SlackWorkspaceDict {
  id: string;
  team_id: string;
  team_name: string | null;
  bot_token: string;
  connected_by: string | null;
  connected_at: Date;
  enabled: boolean;
}

/** A slack_channel_agents row. */
export interface SlackChannelBindingDict {
  id: string;
  team_id: string;
  slack_channel_id: string;
  slack_channel_name: string | null;
  agent_name: string;
  is_dm_default: boolean;
  created_by: string | null;
  created_at: Date;
}

/** Arguments of `createWorkspace`. */
export class SlackWorkspaceCreate {
  @IsString()
  @IsNotEmpty()
  team_id!: string;

  @IsOptional()
  @IsString()
  team_name?: string | null = null;

  @IsString()
  @IsNotEmpty()
  bot_token!: string;

  /** str(users.id) or null. */
  @IsOptional()
  @IsString()
  connected_by?: string | null = null;
}

/** Arguments of `bindChannelToAgent`. */
export class SlackChannelBindingCreate {
  @IsString()
  @IsNotEmpty()
  team_id!: string;

  @IsString()
  @IsNotEmpty()
  slack_channel_id!: string;

  @IsOptional()
  @IsString()
  slack_channel_name?: string | null = null;

  @IsString()
  @IsNotEmpty()
  agent_name!: string;

  @IsOptional()
  @IsString()
  created_by?: string | null = null;

  @IsBoolean()
  is_dm_default: boolean = false;
}

/** Arguments of `registerActiveThread`. */
export class SlackActiveThreadCreate {
  @IsString()
  @IsNotEmpty()
  team_id!: string;

  @IsString()
  @IsNotEmpty()
  channel_id!: string;

  /** A Slack message timestamp such as '1712345678.123456' (not a date). */
  @IsString()
  @IsNotEmpty()
  thread_ts!: string;

  @IsString()
  @IsNotEmpty()
  agent_name!: string;
}
