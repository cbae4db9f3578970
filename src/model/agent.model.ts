/**
 * Models of AgentRepository (Python `AgentOperations` and its six agent_settings mixins).
 * Field names are the Python ones (snake_case); timestamps are Dates (naive legacy text read as UTC).
 */

/** The protected platform agent (Python `SYSTEM_AGENT_NAME`). */
export const SYSTEM_AGENT_NAME = 'trinity-system';

/** `get_agent_owner`: the ownership row joined with the owner's username. */
export interface AgentOwnerDict {
  id: number;
  agent_name: string;
  owner_id: number;
  owner_username: string;
  created_at: Date;
  is_system: boolean;
}

/** Pydantic `AgentShare` (share_agent, get_agent_shares). */
export interface AgentShare {
  id: number;
  agent_name: string;
  /** Always lower-cased. */
  shared_with_email: string;
  shared_by_id: number;
  /** The sharer's email, else username, else "unknown". */
  shared_by_email: string;
  created_at: Date;
}

/** `get_resource_limits`: at least one of the two is non-null. */
export interface ResourceLimitsDict {
  memory: string | null;
  cpu: string | null;
}

/** `get_read_only_mode`. `config` is the parsed read_only_config (null when NULL, empty or invalid JSON). */
export interface ReadOnlyModeDict {
  enabled: boolean;
  config: Record<string, unknown> | null;
}

/** `get_avatar_identity`. */
export interface AvatarIdentityDict {
  identity_prompt: string;
  updated_at: Date | null;
}

/** `get_agents_without_custom_avatar` rows. */
export interface AgentNameRow {
  agent_name: string;
}

/** Values of `get_all_agent_metadata`, keyed by agent_name. */
export interface AgentMetadataDict {
  owner_id: number | null;
  owner_username: string | null;
  owner_email: string | null;
  is_system: boolean;
  autonomy_enabled: boolean;
  read_only_enabled: boolean;
  use_platform_api_key: boolean;
  memory_limit: string | null;
  cpu_limit: string | null;
  github_repo: string | null;
  /** agent_git_config.working_branch. */
  github_branch: string | null;
  is_shared_with_user: boolean;
  avatar_updated_at: Date | null;
}

/** Pydantic `AgentOwnership` (db_models; the DB layer returns AgentOwnerDict instead). */
export interface AgentOwnership {
  id: number;
  agent_name: string;
  owner_id: number;
  owner_username: string;
  created_at: Date;
}

/** Pydantic `AgentShareRequest` (router input). */
export interface AgentShareRequest {
  email: string;
}

/** The read-only mode config the platform writes (keys are not validated by the data layer). */
export interface ReadOnlyConfig {
  blocked_patterns?: string[];
  allowed_patterns?: string[];
  [key: string]: unknown;
}
