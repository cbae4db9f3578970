import { IsBoolean, IsNotEmpty, IsOptional, IsString } from 'class-validator';

/**
 * Models of the legacy per-link Slack integration (Python `SlackOperations`, SLACK-001).
 * Timestamps are Dates (read as UTC); the stored text stays NAIVE_ISO on SQLite.
 */

/** A row of slack_link_connections. The bot token is PLAINTEXT in this legacy table. */
export interface SlackConnectionDict {
  id: string;
  link_id: string;
  slack_team_id: string;
  slack_team_name: string | null;
  slack_bot_token: string;
  connected_by: string;
  connected_at: Date;
  enabled: boolean;
}

/** `get_slack_connection_by_team`: the connection plus two fields of the joined public link. */
export interface SlackConnectionByTeamDict extends SlackConnectionDict {
  agent_name: string;
  require_email: boolean;
}

export interface SlackUserVerificationDict {
  id: string;
  link_id: string;
  slack_user_id: string;
  slack_team_id: string;
  verified_email: string;
  verification_method: string;
  verified_at: Date;
}

export interface SlackPendingVerificationDict {
  id: string;
  link_id: string;
  slack_user_id: string;
  slack_team_id: string;
  email: string | null;
  code: string | null;
  created_at: Date;
  expires_at: Date;
  /** 'awaiting_email' | 'awaiting_code' in practice; not validated (as in Python). */
  state: string;
}

/** Arguments of `createSlackConnection`, validated before the INSERT. */
export class SlackConnectionCreate {
  @IsString()
  @IsNotEmpty()
  link_id!: string;

  @IsString()
  @IsNotEmpty()
  slack_team_id!: string;

  @IsOptional()
  @IsString()
  slack_team_name?: string | null = null;

  @IsString()
  @IsNotEmpty()
  slack_bot_token!: string;

  /** str(users.id) of the connecting user. */
  @IsString()
  @IsNotEmpty()
  connected_by!: string;
}

/** Arguments of `createUserVerification`. The method is not restricted to known values (as in Python). */
export class SlackUserVerificationCreate {
  @IsString()
  @IsNotEmpty()
  link_id!: string;

  @IsString()
  @IsNotEmpty()
  slack_user_id!: string;

  @IsString()
  @IsNotEmpty()
  slack_team_id!: string;

  @IsString()
  verified_email!: string;

  @IsString()
  verification_method!: string;
}

/** Arguments of `createPendingVerification`. */
export class SlackPendingVerificationCreate {
  @IsString()
  @IsNotEmpty()
  link_id!: string;

  @IsString()
  @IsNotEmpty()
  slack_user_id!: string;

  @IsString()
  @IsNotEmpty()
  slack_team_id!: string;

  @IsOptional()
  @IsString()
  email?: string | null = null;

  @IsOptional()
  @IsString()
  code?: string | null = null;

  @IsString()
  state: string = 'awaiting_email';
}

/** The fields `updatePendingVerification` may set; null/undefined leaves a field unchanged. */
export class SlackPendingVerificationUpdate {
  @IsOptional()
  @IsString()
  email?: string | null;

  @IsOptional()
  @IsString()
  code?: string | null;

  @IsOptional()
  @IsString()
  state?: string | null;
}

/** Fields `updateSlackConnection` may set; null/undefined leaves a field unchanged. */
export class SlackConnectionUpdate {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean | null;

  @IsOptional()
  @IsString()
  slack_team_name?: string | null;
}
