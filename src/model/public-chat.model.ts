/** A public-link visitor's conversation (Python `PublicChatSession`). */
export interface PublicChatSession {
  id: string;
  link_id: string;
  /** The lower-cased email, or the anonymous id exactly as given. */
  session_identifier: string;
  /** 'email' or 'anonymous' (not validated). */
  identifier_type: string;
  created_at: Date;
  last_message_at: Date;
  message_count: number;
  total_cost: number;
}

/** One message of a public chat session (Python `PublicChatMessage`). */
export interface PublicChatMessage {
  id: string;
  session_id: string;
  /** 'user' or 'assistant' (not validated). */
  role: string;
  content: string;
  timestamp: Date;
  cost: number | null;
}
