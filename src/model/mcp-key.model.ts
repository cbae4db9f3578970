import { IsOptional, IsString } from 'class-validator';

/** Input of McpKeyRepository.createMcpApiKey (Python `McpApiKeyCreate`). An empty name is allowed, as in Python. */
export class McpApiKeyCreate {
  @IsString()
  name!: string;

  @IsOptional()
  @IsString()
  description?: string | null = null;
}

/** An MCP API key without its secret (Python `McpApiKey`); `username`/`user_email` come from the owning user. */
export interface McpApiKey {
  id: string;
  name: string;
  description: string | null;
  /** The first 20 characters of the key (`trinity_mcp_` + 8 characters). */
  key_prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  usage_count: number;
  is_active: boolean;
  user_id: number;
  username: string;
  user_email: string | null;
  agent_name: string | null;
  /** 'user' | 'agent' | 'system'; NULL/empty reads as 'user'. */
  scope: string;
}

/** Returned only by the two create methods: the plaintext key, which is never stored. */
export interface McpApiKeyWithSecret extends McpApiKey {
  api_key: string;
}

/** `validate_mcp_api_key` result. `user_id` holds the USERNAME, not the numeric id (callers rely on it). */
export interface McpKeyValidationDict {
  key_id: string;
  key_name: string;
  user_id: string;
  user_email: string | null;
  agent_name: string | null;
  scope: string;
}
