import { IsInt, IsNumber, IsOptional, IsString } from 'class-validator';

/** An authenticated chat session (Python `ChatSession`). */
export interface ChatSession {
  id: string;
  agent_name: string;
  user_id: number;
  user_email: string;
  started_at: Date;
  last_message_at: Date;
  message_count: number;
  total_cost: number;
  total_context_used: number;
  total_context_max: number;
  status: string;
  subscription_id: string | null;
}

/** One message of a chat session (Python `ChatMessage`). `tool_calls` is the parsed JSON. */
export interface ChatMessage {
  id: string;
  session_id: string;
  agent_name: string;
  user_id: number;
  user_email: string;
  role: string;
  content: string;
  timestamp: Date;
  cost: number | null;
  context_used: number | null;
  context_max: number | null;
  tool_calls: unknown;
  execution_time_ms: number | null;
  source: string | null;
  subscription_id: string | null;
  output_tokens: number | null;
}

/**
 * The optional arguments of `addChatMessage` (Python keyword arguments, in Python order).
 * `toolCalls` may be JSON text (as the Python callers pass it: it is parsed) or an already parsed value.
 */
export class ChatMessageOptions {
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  cost?: number | null = null;

  @IsOptional()
  @IsInt()
  contextUsed?: number | null = null;

  @IsOptional()
  @IsInt()
  contextMax?: number | null = null;

  @IsOptional()
  toolCalls?: unknown = null;

  @IsOptional()
  @IsInt()
  executionTimeMs?: number | null = null;

  /** null and '' are stored as 'text'. */
  @IsOptional()
  @IsString()
  source?: string | null = 'text';

  @IsOptional()
  @IsString()
  subscriptionId?: string | null = null;

  @IsOptional()
  @IsInt()
  outputTokens?: number | null = null;
}
