import type { BaselineTable } from '../baseline-table';

/**
 * The postgres schema at the baseline: 43 tables and their 98 named indexes, frozen as DDL text.
 * Generated once from the entities; never edit it to follow later entity changes (write a new migration).
 */
export const BASELINE_TABLES: BaselineTable[] = [
  {
    name: 'users',
    columns: ['id', 'username', 'password_hash', 'role', 'auth0_sub', 'name', 'picture', 'email', 'created_at', 'updated_at', 'last_login'],
    create: `CREATE TABLE "users" ("id" SERIAL NOT NULL, "username" text NOT NULL, "password_hash" text, "role" text NOT NULL DEFAULT 'user', "auth0_sub" text, "name" text, "picture" text, "email" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_login" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_6d4919bbde4f4f1e2a132f9317d" UNIQUE ("auth0_sub"), CONSTRAINT "UQ_fe0bb3f6520ee0469504521e710" UNIQUE ("username"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_users_username" ON "users" ("username")`,
      `CREATE INDEX "idx_users_auth0_sub" ON "users" ("auth0_sub")`,
      `CREATE INDEX "idx_users_email" ON "users" ("email")`,
    ],
  },
  {
    name: 'agent_ownership',
    columns: ['id', 'agent_name', 'owner_id', 'created_at', 'is_system', 'use_platform_api_key', 'autonomy_enabled', 'memory_limit', 'cpu_limit', 'read_only_mode', 'read_only_config', 'subscription_id', 'max_parallel_tasks', 'execution_timeout_seconds', 'avatar_identity_prompt', 'avatar_updated_at', 'is_default_avatar', 'full_capabilities', 'voice_system_prompt'],
    create: `CREATE TABLE "agent_ownership" ("id" SERIAL NOT NULL, "agent_name" text NOT NULL, "owner_id" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "is_system" boolean DEFAULT false, "use_platform_api_key" boolean DEFAULT true, "autonomy_enabled" boolean DEFAULT false, "memory_limit" text, "cpu_limit" text, "read_only_mode" boolean DEFAULT false, "read_only_config" jsonb, "subscription_id" text, "max_parallel_tasks" integer DEFAULT '3', "execution_timeout_seconds" integer DEFAULT '900', "avatar_identity_prompt" text, "avatar_updated_at" TIMESTAMP WITH TIME ZONE, "is_default_avatar" boolean DEFAULT false, "full_capabilities" boolean DEFAULT false, "voice_system_prompt" text, CONSTRAINT "UQ_ada4dc21a6e5793d2da5423511d" UNIQUE ("agent_name"), CONSTRAINT "PK_60a18e39395b050805eca7d4026" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_agent_ownership_owner" ON "agent_ownership" ("owner_id")`,
      `CREATE INDEX "idx_agent_ownership_name" ON "agent_ownership" ("agent_name")`,
    ],
  },
  {
    name: 'agent_sharing',
    columns: ['id', 'agent_name', 'shared_with_email', 'shared_by_id', 'created_at'],
    create: `CREATE TABLE "agent_sharing" ("id" SERIAL NOT NULL, "agent_name" text NOT NULL, "shared_with_email" text NOT NULL, "shared_by_id" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "UQ_985e823ba6d694f11dad2ee9366" UNIQUE ("agent_name", "shared_with_email"), CONSTRAINT "PK_6bf9814fc55f25bab6ecbb31b72" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_agent_sharing_agent" ON "agent_sharing" ("agent_name")`,
      `CREATE INDEX "idx_agent_sharing_email" ON "agent_sharing" ("shared_with_email")`,
    ],
  },
  {
    name: 'mcp_api_keys',
    columns: ['id', 'name', 'description', 'key_prefix', 'key_hash', 'created_at', 'last_used_at', 'usage_count', 'is_active', 'user_id', 'agent_name', 'scope'],
    create: `CREATE TABLE "mcp_api_keys" ("id" text NOT NULL, "name" text NOT NULL, "description" text, "key_prefix" text NOT NULL, "key_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_used_at" TIMESTAMP WITH TIME ZONE, "usage_count" integer DEFAULT '0', "is_active" boolean DEFAULT true, "user_id" integer NOT NULL, "agent_name" text, "scope" text DEFAULT 'user', CONSTRAINT "UQ_1e8757214c3ab98bac6c951fcb3" UNIQUE ("key_hash"), CONSTRAINT "PK_d89e9fc556fa4ce215d24f6be5c" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_mcp_keys_user" ON "mcp_api_keys" ("user_id")`,
      `CREATE INDEX "idx_mcp_keys_hash" ON "mcp_api_keys" ("key_hash")`,
      `CREATE INDEX "idx_mcp_keys_agent" ON "mcp_api_keys" ("agent_name")`,
    ],
  },
  {
    name: 'email_whitelist',
    columns: ['id', 'email', 'added_by', 'added_at', 'source'],
    create: `CREATE TABLE "email_whitelist" ("id" SERIAL NOT NULL, "email" text NOT NULL, "added_by" text NOT NULL, "added_at" TIMESTAMP WITH TIME ZONE NOT NULL, "source" text NOT NULL, CONSTRAINT "UQ_d14e1c8591f7b0869c28c84a056" UNIQUE ("email"), CONSTRAINT "PK_122b9b75e518312c279199635e4" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_email_whitelist_email" ON "email_whitelist" ("email")`,
    ],
  },
  {
    name: 'email_login_codes',
    columns: ['id', 'email', 'code', 'created_at', 'expires_at', 'verified', 'used_at'],
    create: `CREATE TABLE "email_login_codes" ("id" text NOT NULL, "email" text NOT NULL, "code" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "verified" boolean DEFAULT false, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c2eb8351a82a585d5f64190b4e0" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_email_login_codes_email" ON "email_login_codes" ("email")`,
      `CREATE INDEX "idx_email_login_codes_code" ON "email_login_codes" ("code")`,
    ],
  },
  {
    name: 'agent_schedules',
    columns: ['id', 'agent_name', 'name', 'cron_expression', 'message', 'enabled', 'timezone', 'description', 'owner_id', 'created_at', 'updated_at', 'last_run_at', 'next_run_at', 'timeout_seconds', 'allowed_tools', 'model'],
    create: `CREATE TABLE "agent_schedules" ("id" text NOT NULL, "agent_name" text NOT NULL, "name" text NOT NULL, "cron_expression" text NOT NULL, "message" text NOT NULL, "enabled" boolean DEFAULT true, "timezone" text DEFAULT 'UTC', "description" text, "owner_id" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_run_at" TIMESTAMP WITH TIME ZONE, "next_run_at" TIMESTAMP WITH TIME ZONE, "timeout_seconds" integer DEFAULT '900', "allowed_tools" jsonb, "model" text, CONSTRAINT "PK_cbf77211cfa31bda9dca865d8a2" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_schedules_agent" ON "agent_schedules" ("agent_name")`,
      `CREATE INDEX "idx_schedules_owner" ON "agent_schedules" ("owner_id")`,
      `CREATE INDEX "idx_schedules_enabled" ON "agent_schedules" ("enabled")`,
    ],
  },
  {
    name: 'schedule_executions',
    columns: ['id', 'schedule_id', 'agent_name', 'status', 'started_at', 'completed_at', 'duration_ms', 'message', 'response', 'error', 'triggered_by', 'context_used', 'context_max', 'cost', 'tool_calls', 'execution_log', 'model_used', 'subscription_id', 'source_user_id', 'source_user_email', 'source_agent_name', 'source_mcp_key_id', 'source_mcp_key_name', 'claude_session_id', 'fan_out_id'],
    create: `CREATE TABLE "schedule_executions" ("id" text NOT NULL, "schedule_id" text NOT NULL, "agent_name" text NOT NULL, "status" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE, "duration_ms" integer, "message" text NOT NULL, "response" text, "error" text, "triggered_by" text NOT NULL, "context_used" integer, "context_max" integer, "cost" double precision, "tool_calls" jsonb, "execution_log" jsonb, "model_used" text, "subscription_id" text, "source_user_id" integer, "source_user_email" text, "source_agent_name" text, "source_mcp_key_id" text, "source_mcp_key_name" text, "claude_session_id" text, "fan_out_id" text, CONSTRAINT "PK_810e262fdc1d563011d9196909c" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_executions_schedule" ON "schedule_executions" ("schedule_id")`,
      `CREATE INDEX "idx_executions_agent" ON "schedule_executions" ("agent_name")`,
      `CREATE INDEX "idx_executions_status" ON "schedule_executions" ("status")`,
      `CREATE INDEX "idx_executions_agent_started" ON "schedule_executions" ("agent_name", "started_at" DESC)`,
      `CREATE INDEX "idx_executions_subscription" ON "schedule_executions" ("subscription_id", "started_at")`,
      `CREATE INDEX "idx_executions_fan_out" ON "schedule_executions" ("fan_out_id")`,
    ],
  },
  {
    name: 'chat_sessions',
    columns: ['id', 'agent_name', 'user_id', 'user_email', 'started_at', 'last_message_at', 'message_count', 'total_cost', 'total_context_used', 'total_context_max', 'status', 'subscription_id'],
    create: `CREATE TABLE "chat_sessions" ("id" text NOT NULL, "agent_name" text NOT NULL, "user_id" integer NOT NULL, "user_email" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_message_at" TIMESTAMP WITH TIME ZONE NOT NULL, "message_count" integer DEFAULT '0', "total_cost" double precision DEFAULT '0', "total_context_used" integer DEFAULT '0', "total_context_max" integer DEFAULT '200000', "status" text DEFAULT 'active', "subscription_id" text, CONSTRAINT "PK_efc151a4aafa9a28b73dedc485f" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_chat_sessions_agent" ON "chat_sessions" ("agent_name")`,
      `CREATE INDEX "idx_chat_sessions_user" ON "chat_sessions" ("user_id")`,
      `CREATE INDEX "idx_chat_sessions_status" ON "chat_sessions" ("status")`,
    ],
  },
  {
    name: 'chat_messages',
    columns: ['id', 'session_id', 'agent_name', 'user_id', 'user_email', 'role', 'content', 'timestamp', 'cost', 'context_used', 'context_max', 'tool_calls', 'execution_time_ms', 'source', 'subscription_id', 'output_tokens'],
    create: `CREATE TABLE "chat_messages" ("id" text NOT NULL, "session_id" text NOT NULL, "agent_name" text NOT NULL, "user_id" integer NOT NULL, "user_email" text NOT NULL, "role" text NOT NULL, "content" text NOT NULL, "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL, "cost" double precision, "context_used" integer, "context_max" integer, "tool_calls" jsonb, "execution_time_ms" integer, "source" text DEFAULT 'text', "subscription_id" text, "output_tokens" integer, CONSTRAINT "PK_40c55ee0e571e268b0d3cd37d10" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_chat_messages_session" ON "chat_messages" ("session_id")`,
      `CREATE INDEX "idx_chat_messages_agent" ON "chat_messages" ("agent_name")`,
      `CREATE INDEX "idx_chat_messages_user" ON "chat_messages" ("user_id")`,
      `CREATE INDEX "idx_chat_messages_timestamp" ON "chat_messages" ("timestamp")`,
      `CREATE INDEX "idx_chat_messages_subscription" ON "chat_messages" ("subscription_id", "timestamp")`,
    ],
  },
  {
    name: 'agent_activities',
    columns: ['id', 'agent_name', 'activity_type', 'activity_state', 'parent_activity_id', 'started_at', 'completed_at', 'duration_ms', 'user_id', 'triggered_by', 'related_chat_message_id', 'related_execution_id', 'details', 'error', 'created_at'],
    create: `CREATE TABLE "agent_activities" ("id" text NOT NULL, "agent_name" text NOT NULL, "activity_type" text NOT NULL, "activity_state" text NOT NULL, "parent_activity_id" text, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE, "duration_ms" integer, "user_id" integer, "triggered_by" text NOT NULL, "related_chat_message_id" text, "related_execution_id" text, "details" jsonb, "error" text, "created_at" TIMESTAMP WITH TIME ZONE DEFAULT now(), CONSTRAINT "PK_f796a013eb5a70bfe282ab89367" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_activities_agent" ON "agent_activities" ("agent_name", "created_at" DESC)`,
      `CREATE INDEX "idx_activities_type" ON "agent_activities" ("activity_type")`,
      `CREATE INDEX "idx_activities_state" ON "agent_activities" ("activity_state")`,
      `CREATE INDEX "idx_activities_user" ON "agent_activities" ("user_id")`,
      `CREATE INDEX "idx_activities_parent" ON "agent_activities" ("parent_activity_id")`,
      `CREATE INDEX "idx_activities_chat_msg" ON "agent_activities" ("related_chat_message_id")`,
      `CREATE INDEX "idx_activities_execution" ON "agent_activities" ("related_execution_id")`,
    ],
  },
  {
    name: 'agent_permissions',
    columns: ['id', 'source_agent', 'target_agent', 'created_at', 'created_by'],
    create: `CREATE TABLE "agent_permissions" ("id" SERIAL NOT NULL, "source_agent" text NOT NULL, "target_agent" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE DEFAULT now(), "created_by" text NOT NULL, CONSTRAINT "UQ_b96230ed8f17b48d9938a7cea53" UNIQUE ("source_agent", "target_agent"), CONSTRAINT "PK_12e02199dde211f424f9bc6c467" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_permissions_source" ON "agent_permissions" ("source_agent")`,
      `CREATE INDEX "idx_permissions_target" ON "agent_permissions" ("target_agent")`,
    ],
  },
  {
    name: 'agent_shared_folder_config',
    columns: ['agent_name', 'expose_enabled', 'consume_enabled', 'created_at', 'updated_at'],
    create: `CREATE TABLE "agent_shared_folder_config" ("agent_name" text NOT NULL, "expose_enabled" boolean DEFAULT false, "consume_enabled" boolean DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_2857dbca9a6ababf38fdae02974" PRIMARY KEY ("agent_name"))`,
    indexes: [
      `CREATE INDEX "idx_shared_folders_expose" ON "agent_shared_folder_config" ("expose_enabled")`,
      `CREATE INDEX "idx_shared_folders_consume" ON "agent_shared_folder_config" ("consume_enabled")`,
    ],
  },
  {
    name: 'system_settings',
    columns: ['key', 'value', 'updated_at'],
    create: `CREATE TABLE "system_settings" ("key" text NOT NULL, "value" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_b1b5bc664526d375c94ce9ad43d" PRIMARY KEY ("key"))`,
    indexes: [
    ],
  },
  {
    name: 'agent_public_links',
    columns: ['id', 'agent_name', 'token', 'created_by', 'created_at', 'expires_at', 'enabled', 'name', 'require_email'],
    create: `CREATE TABLE "agent_public_links" ("id" text NOT NULL, "agent_name" text NOT NULL, "token" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "enabled" boolean DEFAULT true, "name" text, "require_email" boolean DEFAULT false, CONSTRAINT "UQ_1956dec76e4c276ee9df6752dc7" UNIQUE ("token"), CONSTRAINT "PK_24c37d067229389b2d19abf563d" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_public_links_token" ON "agent_public_links" ("token")`,
      `CREATE INDEX "idx_public_links_agent" ON "agent_public_links" ("agent_name")`,
    ],
  },
  {
    name: 'public_link_verifications',
    columns: ['id', 'link_id', 'email', 'code', 'created_at', 'expires_at', 'verified', 'session_token', 'session_expires_at'],
    create: `CREATE TABLE "public_link_verifications" ("id" text NOT NULL, "link_id" text NOT NULL, "email" text NOT NULL, "code" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "verified" integer DEFAULT '0', "session_token" text, "session_expires_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_fc7131d8212bbc068ad456bedda" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_verifications_link" ON "public_link_verifications" ("link_id")`,
      `CREATE INDEX "idx_verifications_email" ON "public_link_verifications" ("email")`,
      `CREATE INDEX "idx_verifications_code" ON "public_link_verifications" ("code")`,
    ],
  },
  {
    name: 'public_link_usage',
    columns: ['id', 'link_id', 'email', 'ip_address', 'message_count', 'created_at', 'last_used_at'],
    create: `CREATE TABLE "public_link_usage" ("id" text NOT NULL, "link_id" text NOT NULL, "email" text, "ip_address" text, "message_count" integer DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_26d39f6ae9893d700c6852499ab" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_usage_link" ON "public_link_usage" ("link_id")`,
      `CREATE INDEX "idx_usage_ip" ON "public_link_usage" ("ip_address")`,
    ],
  },
  {
    name: 'public_chat_sessions',
    columns: ['id', 'link_id', 'session_identifier', 'identifier_type', 'created_at', 'last_message_at', 'message_count', 'total_cost'],
    create: `CREATE TABLE "public_chat_sessions" ("id" text NOT NULL, "link_id" text NOT NULL, "session_identifier" text NOT NULL, "identifier_type" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_message_at" TIMESTAMP WITH TIME ZONE NOT NULL, "message_count" integer DEFAULT '0', "total_cost" double precision DEFAULT '0', CONSTRAINT "UQ_cf151fc35cc2e070ee1ea76606d" UNIQUE ("link_id", "session_identifier"), CONSTRAINT "PK_4eede05231f51c3627ed0055a2f" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_public_chat_sessions_link" ON "public_chat_sessions" ("link_id")`,
      `CREATE INDEX "idx_public_chat_sessions_identifier" ON "public_chat_sessions" ("session_identifier")`,
    ],
  },
  {
    name: 'public_chat_messages',
    columns: ['id', 'session_id', 'role', 'content', 'timestamp', 'cost'],
    create: `CREATE TABLE "public_chat_messages" ("id" text NOT NULL, "session_id" text NOT NULL, "role" text NOT NULL, "content" text NOT NULL, "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL, "cost" double precision, CONSTRAINT "PK_d80627a185162a29bc4a7462f52" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_public_chat_messages_session" ON "public_chat_messages" ("session_id")`,
    ],
  },
  {
    name: 'public_user_memory',
    columns: ['id', 'agent_name', 'user_email', 'memory_text', 'message_count', 'created_at', 'updated_at'],
    create: `CREATE TABLE "public_user_memory" ("id" text NOT NULL, "agent_name" text NOT NULL, "user_email" text NOT NULL, "memory_text" text NOT NULL DEFAULT '', "message_count" integer DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "UQ_ed928cb38c50894c4f633fcde78" UNIQUE ("agent_name", "user_email"), CONSTRAINT "PK_4d7904ab08a37e325513c43e725" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_public_user_memory_lookup" ON "public_user_memory" ("agent_name", "user_email")`,
    ],
  },
  {
    name: 'agent_git_config',
    columns: ['id', 'agent_name', 'github_repo', 'working_branch', 'instance_id', 'source_branch', 'source_mode', 'created_at', 'last_sync_at', 'last_commit_sha', 'sync_enabled', 'sync_paths'],
    create: `CREATE TABLE "agent_git_config" ("id" text NOT NULL, "agent_name" text NOT NULL, "github_repo" text NOT NULL, "working_branch" text NOT NULL, "instance_id" text NOT NULL, "source_branch" text DEFAULT 'main', "source_mode" boolean DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_sync_at" TIMESTAMP WITH TIME ZONE, "last_commit_sha" text, "sync_enabled" boolean DEFAULT true, "sync_paths" jsonb, CONSTRAINT "UQ_a8b66c542d2feed0d17c7ea0778" UNIQUE ("agent_name"), CONSTRAINT "PK_ef0d958772979c7686165fa1139" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_git_config_agent" ON "agent_git_config" ("agent_name")`,
      `CREATE INDEX "idx_git_config_repo" ON "agent_git_config" ("github_repo")`,
    ],
  },
  {
    name: 'agent_skills',
    columns: ['id', 'agent_name', 'skill_name', 'assigned_by', 'assigned_at'],
    create: `CREATE TABLE "agent_skills" ("id" SERIAL NOT NULL, "agent_name" text NOT NULL, "skill_name" text NOT NULL, "assigned_by" text NOT NULL, "assigned_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "UQ_47604a5f55c3f4bc838e69c6555" UNIQUE ("agent_name", "skill_name"), CONSTRAINT "PK_12090b937204870afb85bf39cb8" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_agent_skills_agent" ON "agent_skills" ("agent_name")`,
      `CREATE INDEX "idx_agent_skills_skill" ON "agent_skills" ("skill_name")`,
    ],
  },
  {
    name: 'agent_tags',
    columns: ['agent_name', 'tag', 'created_at'],
    create: `CREATE TABLE "agent_tags" ("agent_name" text NOT NULL, "tag" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE DEFAULT now(), CONSTRAINT "PK_b8038159da06d3f501c73d4f918" PRIMARY KEY ("agent_name", "tag"))`,
    indexes: [
      `CREATE INDEX "idx_agent_tags_tag" ON "agent_tags" ("tag")`,
      `CREATE INDEX "idx_agent_tags_agent" ON "agent_tags" ("agent_name")`,
    ],
  },
  {
    name: 'system_views',
    columns: ['id', 'name', 'description', 'icon', 'color', 'filter_tags', 'owner_id', 'is_shared', 'created_at', 'updated_at'],
    create: `CREATE TABLE "system_views" ("id" text NOT NULL, "name" text NOT NULL, "description" text, "icon" text, "color" text, "filter_tags" jsonb NOT NULL, "owner_id" text NOT NULL, "is_shared" boolean DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE DEFAULT now(), CONSTRAINT "PK_2d438a31168479a8f1b0a326c87" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_system_views_owner" ON "system_views" ("owner_id")`,
    ],
  },
  {
    name: 'agent_health_checks',
    columns: ['id', 'agent_name', 'check_type', 'status', 'container_status', 'cpu_percent', 'memory_percent', 'memory_mb', 'restart_count', 'oom_killed', 'reachable', 'latency_ms', 'runtime_available', 'claude_available', 'context_percent', 'active_executions', 'error_rate', 'error_message', 'checked_at', 'created_at'],
    create: `CREATE TABLE "agent_health_checks" ("id" text NOT NULL, "agent_name" text NOT NULL, "check_type" text NOT NULL, "status" text NOT NULL, "container_status" text, "cpu_percent" double precision, "memory_percent" double precision, "memory_mb" double precision, "restart_count" integer, "oom_killed" boolean, "reachable" boolean, "latency_ms" double precision, "runtime_available" boolean, "claude_available" boolean, "context_percent" double precision, "active_executions" integer, "error_rate" double precision, "error_message" text, "checked_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE DEFAULT now(), CONSTRAINT "PK_6f95eceddd8871982e3536310af" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_health_agent_time" ON "agent_health_checks" ("agent_name", "checked_at" DESC)`,
      `CREATE INDEX "idx_health_status" ON "agent_health_checks" ("status")`,
      `CREATE INDEX "idx_health_type" ON "agent_health_checks" ("check_type")`,
      `CREATE INDEX "idx_health_checked_at" ON "agent_health_checks" ("checked_at")`,
    ],
  },
  {
    name: 'monitoring_alert_cooldowns',
    columns: ['id', 'agent_name', 'condition', 'last_alert_at'],
    create: `CREATE TABLE "monitoring_alert_cooldowns" ("id" text NOT NULL, "agent_name" text NOT NULL, "condition" text NOT NULL, "last_alert_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "UQ_e91f89818502c6413a971b6f013" UNIQUE ("agent_name", "condition"), CONSTRAINT "PK_16b4f8f9cb5d81b67e19d1e7b84" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_alert_cooldowns_agent" ON "monitoring_alert_cooldowns" ("agent_name")`,
    ],
  },
  {
    name: 'agent_dashboard_values',
    columns: ['id', 'agent_name', 'widget_key', 'widget_label', 'widget_type', 'value_numeric', 'value_text', 'dashboard_mtime', 'captured_at', 'created_at'],
    create: `CREATE TABLE "agent_dashboard_values" ("id" text NOT NULL, "agent_name" text NOT NULL, "widget_key" text NOT NULL, "widget_label" text, "widget_type" text NOT NULL, "value_numeric" double precision, "value_text" text, "dashboard_mtime" text NOT NULL, "captured_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE DEFAULT now(), CONSTRAINT "PK_1e2395030e7043b5f069e67f312" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_dashboard_values_agent_time" ON "agent_dashboard_values" ("agent_name", "captured_at" DESC)`,
      `CREATE INDEX "idx_dashboard_values_widget" ON "agent_dashboard_values" ("agent_name", "widget_key", "captured_at" DESC)`,
    ],
  },
  {
    name: 'slack_link_connections',
    columns: ['id', 'link_id', 'slack_team_id', 'slack_team_name', 'slack_bot_token', 'connected_by', 'connected_at', 'enabled'],
    create: `CREATE TABLE "slack_link_connections" ("id" text NOT NULL, "link_id" text NOT NULL, "slack_team_id" text NOT NULL, "slack_team_name" text, "slack_bot_token" text NOT NULL, "connected_by" text NOT NULL, "connected_at" TIMESTAMP WITH TIME ZONE NOT NULL, "enabled" boolean DEFAULT true, CONSTRAINT "UQ_3bdfafc53371e57024f8111552f" UNIQUE ("slack_team_id"), CONSTRAINT "UQ_8334dcb1a6a99e61b236933a7d9" UNIQUE ("link_id"), CONSTRAINT "PK_3adc0928ab1a34fd2bad7e2ec9a" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_slack_connections_team" ON "slack_link_connections" ("slack_team_id")`,
      `CREATE INDEX "idx_slack_connections_link" ON "slack_link_connections" ("link_id")`,
    ],
  },
  {
    name: 'slack_user_verifications',
    columns: ['id', 'link_id', 'slack_user_id', 'slack_team_id', 'verified_email', 'verification_method', 'verified_at'],
    create: `CREATE TABLE "slack_user_verifications" ("id" text NOT NULL, "link_id" text NOT NULL, "slack_user_id" text NOT NULL, "slack_team_id" text NOT NULL, "verified_email" text NOT NULL, "verification_method" text NOT NULL, "verified_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "UQ_8a77835add39fcbbb4ef382be8d" UNIQUE ("link_id", "slack_user_id", "slack_team_id"), CONSTRAINT "PK_e3e4399edb51de40253e0569bd5" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_slack_verifications_user" ON "slack_user_verifications" ("slack_user_id", "slack_team_id")`,
      `CREATE INDEX "idx_slack_verifications_link" ON "slack_user_verifications" ("link_id")`,
    ],
  },
  {
    name: 'slack_pending_verifications',
    columns: ['id', 'link_id', 'slack_user_id', 'slack_team_id', 'email', 'code', 'created_at', 'expires_at', 'state'],
    create: `CREATE TABLE "slack_pending_verifications" ("id" text NOT NULL, "link_id" text NOT NULL, "slack_user_id" text NOT NULL, "slack_team_id" text NOT NULL, "email" text, "code" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "state" text DEFAULT 'awaiting_email', CONSTRAINT "PK_264b4b46690d9846397ebce1be2" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_slack_pending_user" ON "slack_pending_verifications" ("slack_user_id", "slack_team_id")`,
    ],
  },
  {
    name: 'operator_queue',
    columns: ['id', 'agent_name', 'type', 'status', 'priority', 'title', 'question', 'options', 'context', 'execution_id', 'created_at', 'expires_at', 'response', 'response_text', 'responded_by_id', 'responded_by_email', 'responded_at', 'acknowledged_at'],
    create: `CREATE TABLE "operator_queue" ("id" text NOT NULL, "agent_name" text NOT NULL, "type" text NOT NULL, "status" text NOT NULL DEFAULT 'pending', "priority" text NOT NULL DEFAULT 'medium', "title" text NOT NULL, "question" text NOT NULL, "options" jsonb, "context" jsonb, "execution_id" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "response" text, "response_text" text, "responded_by_id" text, "responded_by_email" text, "responded_at" TIMESTAMP WITH TIME ZONE, "acknowledged_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5b722876327f2e2f4c59c5d6e2d" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_operator_queue_agent" ON "operator_queue" ("agent_name")`,
      `CREATE INDEX "idx_operator_queue_status" ON "operator_queue" ("status")`,
      `CREATE INDEX "idx_operator_queue_priority" ON "operator_queue" ("priority")`,
      `CREATE INDEX "idx_operator_queue_type" ON "operator_queue" ("type")`,
      `CREATE INDEX "idx_operator_queue_created" ON "operator_queue" ("created_at" DESC)`,
    ],
  },
  {
    name: 'nevermined_agent_config',
    columns: ['id', 'agent_name', 'encrypted_credentials', 'nvm_environment', 'nvm_agent_id', 'nvm_plan_id', 'credits_per_request', 'enabled', 'created_at', 'updated_at'],
    create: `CREATE TABLE "nevermined_agent_config" ("id" text NOT NULL, "agent_name" text NOT NULL, "encrypted_credentials" text NOT NULL, "nvm_environment" text NOT NULL, "nvm_agent_id" text NOT NULL, "nvm_plan_id" text NOT NULL, "credits_per_request" integer NOT NULL DEFAULT '1', "enabled" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "UQ_0ef56fc2014596e82d702849355" UNIQUE ("agent_name"), CONSTRAINT "PK_a5e76aacdcaa326e8f0fbfc2eec" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_nvm_config_agent" ON "nevermined_agent_config" ("agent_name")`,
    ],
  },
  {
    name: 'nevermined_payment_log',
    columns: ['id', 'agent_name', 'execution_id', 'action', 'subscriber_address', 'credits_amount', 'tx_hash', 'remaining_balance', 'success', 'error', 'created_at'],
    create: `CREATE TABLE "nevermined_payment_log" ("id" text NOT NULL, "agent_name" text NOT NULL, "execution_id" text, "action" text NOT NULL, "subscriber_address" text, "credits_amount" integer, "tx_hash" text, "remaining_balance" integer, "success" boolean NOT NULL DEFAULT false, "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_c2014f7ec4056e519fd13bf7fb6" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_nvm_payment_log_agent" ON "nevermined_payment_log" ("agent_name", "created_at" DESC)`,
      `CREATE INDEX "idx_nvm_payment_log_execution" ON "nevermined_payment_log" ("execution_id")`,
    ],
  },
  {
    name: 'agent_event_subscriptions',
    columns: ['id', 'subscriber_agent', 'source_agent', 'event_type', 'target_message', 'enabled', 'created_at', 'updated_at', 'created_by'],
    create: `CREATE TABLE "agent_event_subscriptions" ("id" text NOT NULL, "subscriber_agent" text NOT NULL, "source_agent" text NOT NULL, "event_type" text NOT NULL, "target_message" text NOT NULL, "enabled" boolean DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" text NOT NULL, CONSTRAINT "UQ_929d0cb23af0d7310b418f89516" UNIQUE ("subscriber_agent", "source_agent", "event_type"), CONSTRAINT "PK_02f9a9f7e982e70a0aa8f359aad" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_event_subs_subscriber" ON "agent_event_subscriptions" ("subscriber_agent")`,
      `CREATE INDEX "idx_event_subs_source" ON "agent_event_subscriptions" ("source_agent")`,
      `CREATE INDEX "idx_event_subs_source_type" ON "agent_event_subscriptions" ("source_agent", "event_type")`,
    ],
  },
  {
    name: 'agent_events',
    columns: ['id', 'source_agent', 'event_type', 'payload', 'subscriptions_triggered', 'created_at'],
    create: `CREATE TABLE "agent_events" ("id" text NOT NULL, "source_agent" text NOT NULL, "event_type" text NOT NULL, "payload" jsonb, "subscriptions_triggered" integer DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_94c713565641b3cfac600e14e94" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_events_source" ON "agent_events" ("source_agent", "created_at" DESC)`,
      `CREATE INDEX "idx_events_type" ON "agent_events" ("event_type")`,
    ],
  },
  {
    name: 'agent_notifications',
    columns: ['id', 'agent_name', 'notification_type', 'title', 'message', 'priority', 'category', 'metadata', 'status', 'created_at', 'acknowledged_at', 'acknowledged_by'],
    create: `CREATE TABLE "agent_notifications" ("id" text NOT NULL, "agent_name" text NOT NULL, "notification_type" text NOT NULL, "title" text NOT NULL, "message" text, "priority" text DEFAULT 'normal', "category" text, "metadata" jsonb, "status" text DEFAULT 'pending', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" text, CONSTRAINT "PK_0af3ec1ad62a1b54aba2d08f3b6" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_notifications_agent" ON "agent_notifications" ("agent_name", "created_at" DESC)`,
      `CREATE INDEX "idx_notifications_priority" ON "agent_notifications" ("priority")`,
      `CREATE INDEX "idx_notifications_status" ON "agent_notifications" ("status")`,
    ],
  },
  {
    name: 'subscription_credentials',
    columns: ['id', 'name', 'encrypted_credentials', 'subscription_type', 'rate_limit_tier', 'owner_id', 'created_at', 'updated_at'],
    create: `CREATE TABLE "subscription_credentials" ("id" text NOT NULL, "name" text NOT NULL, "encrypted_credentials" text NOT NULL, "subscription_type" text, "rate_limit_tier" text, "owner_id" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "UQ_d87915f7eefaf15ab6c12b17f99" UNIQUE ("name"), CONSTRAINT "PK_36ed1983a29fa6a4a2872acd0b1" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_subscriptions_name" ON "subscription_credentials" ("name")`,
      `CREATE INDEX "idx_subscriptions_owner" ON "subscription_credentials" ("owner_id")`,
    ],
  },
  {
    name: 'subscription_rate_limit_events',
    columns: ['id', 'agent_name', 'subscription_id', 'error_message', 'occurred_at'],
    create: `CREATE TABLE "subscription_rate_limit_events" ("id" text NOT NULL, "agent_name" text NOT NULL, "subscription_id" text NOT NULL, "error_message" text, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_0f09178ef30d565e30260ce1726" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_rate_limit_agent_sub" ON "subscription_rate_limit_events" ("agent_name", "subscription_id", "occurred_at" DESC)`,
      `CREATE INDEX "idx_rate_limit_sub" ON "subscription_rate_limit_events" ("subscription_id", "occurred_at" DESC)`,
    ],
  },
  {
    name: 'slack_workspaces',
    columns: ['id', 'team_id', 'team_name', 'bot_token', 'connected_by', 'connected_at', 'enabled'],
    create: `CREATE TABLE "slack_workspaces" ("id" text NOT NULL, "team_id" text NOT NULL, "team_name" text, "bot_token" text NOT NULL, "connected_by" text, "connected_at" TIMESTAMP WITH TIME ZONE NOT NULL, "enabled" boolean DEFAULT true, CONSTRAINT "UQ_f2977e167b569aca57f12377dea" UNIQUE ("team_id"), CONSTRAINT "PK_501329e740785ffdf0a4c8ecfe7" PRIMARY KEY ("id"))`,
    indexes: [
    ],
  },
  {
    name: 'slack_channel_agents',
    columns: ['id', 'team_id', 'slack_channel_id', 'slack_channel_name', 'agent_name', 'is_dm_default', 'created_by', 'created_at'],
    create: `CREATE TABLE "slack_channel_agents" ("id" text NOT NULL, "team_id" text NOT NULL, "slack_channel_id" text NOT NULL, "slack_channel_name" text, "agent_name" text NOT NULL, "is_dm_default" boolean DEFAULT false, "created_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "UQ_8696002a91855935d287eb84b49" UNIQUE ("team_id", "slack_channel_id"), CONSTRAINT "PK_50328f5d81dc5170c4e22a870a7" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_slack_channel_agents_agent" ON "slack_channel_agents" ("agent_name")`,
      `CREATE INDEX "idx_slack_channel_agents_team" ON "slack_channel_agents" ("team_id")`,
    ],
  },
  {
    name: 'slack_active_threads',
    columns: ['team_id', 'channel_id', 'thread_ts', 'agent_name', 'created_at'],
    create: `CREATE TABLE "slack_active_threads" ("team_id" text NOT NULL, "channel_id" text NOT NULL, "thread_ts" text NOT NULL, "agent_name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_8bfdc6b5acf82f350eb7e88c371" PRIMARY KEY ("team_id", "channel_id", "thread_ts"))`,
    indexes: [
      `CREATE INDEX "idx_slack_active_threads_lookup" ON "slack_active_threads" ("team_id", "channel_id", "thread_ts")`,
    ],
  },
  {
    name: 'telegram_bindings',
    columns: ['id', 'agent_name', 'bot_token_encrypted', 'bot_username', 'bot_id', 'webhook_secret', 'webhook_url', 'telegram_secret_token', 'last_update_id', 'created_at', 'updated_at'],
    create: `CREATE TABLE "telegram_bindings" ("id" SERIAL NOT NULL, "agent_name" text NOT NULL, "bot_token_encrypted" text NOT NULL, "bot_username" text, "bot_id" text, "webhook_secret" text NOT NULL, "webhook_url" text, "telegram_secret_token" text, "last_update_id" bigint DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_d48bdf1351df37fc8fd9d49aaa5" UNIQUE ("bot_id"), CONSTRAINT "UQ_61c94dd8d5a8c158f4f34499e72" UNIQUE ("agent_name"), CONSTRAINT "PK_dcef281c44fdead914dc7f6dfa1" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_telegram_bindings_agent" ON "telegram_bindings" ("agent_name")`,
      `CREATE INDEX "idx_telegram_bindings_bot_id" ON "telegram_bindings" ("bot_id")`,
      `CREATE INDEX "idx_telegram_bindings_webhook" ON "telegram_bindings" ("webhook_secret")`,
    ],
  },
  {
    name: 'telegram_chat_links',
    columns: ['id', 'binding_id', 'telegram_user_id', 'telegram_username', 'session_id', 'message_count', 'created_at', 'last_active'],
    create: `CREATE TABLE "telegram_chat_links" ("id" SERIAL NOT NULL, "binding_id" integer NOT NULL, "telegram_user_id" text NOT NULL, "telegram_username" text, "session_id" text, "message_count" integer DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_active" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_84d2649684e8743d95d7142eaec" UNIQUE ("binding_id", "telegram_user_id"), CONSTRAINT "PK_f157226b99e6c845ace4d6ad35b" PRIMARY KEY ("id"))`,
    indexes: [
      `CREATE INDEX "idx_telegram_chat_links_binding" ON "telegram_chat_links" ("binding_id")`,
    ],
  },
];
