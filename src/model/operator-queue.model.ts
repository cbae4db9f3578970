/**
 * One entry of an agent's operator-queue.json (Python dict). `id`, `title`, `question` and `created_at`
 * are required keys; `type`, `status` and `priority` default only when the key is absent. Other keys are ignored.
 */
export interface OperatorQueueItemInput {
  id: string;
  title: string | null;
  question: string | null;
  /** ISO-8601 text as the agent wrote it (stored verbatim on SQLite). */
  created_at: string | null;
  type?: string | null;
  status?: string | null;
  priority?: string | null;
  /** JSON-encoded when truthy (an empty list is stored as NULL). */
  options?: unknown;
  /** JSON object, stored when truthy; its `execution_id` is copied to a column. */
  context?: Record<string, unknown> | null;
  expires_at?: string | null;
  [key: string]: unknown;
}

/** An operator queue item (Python dict of the 18 selected columns). */
export interface OperatorQueueItemDict {
  id: string;
  agent_name: string;
  type: string;
  status: string;
  priority: string;
  title: string;
  question: string;
  options: unknown;
  context: Record<string, unknown> | null;
  execution_id: string | null;
  created_at: Date | null;
  expires_at: Date | null;
  response: string | null;
  response_text: string | null;
  responded_by_id: string | null;
  responded_by_email: string | null;
  responded_at: Date | null;
  acknowledged_at: Date | null;
}

/** Filters of listItems (Python keyword arguments); each filter applies only when truthy. */
export interface OperatorQueueListOptions {
  status?: string | null;
  type?: string | null;
  priority?: string | null;
  agentName?: string | null;
  /** Items created at or after this time (ISO-8601 text or a Date). */
  since?: string | Date | null;
  limit?: number;
  offset?: number;
}

export interface OperatorQueueStatsDict {
  by_status: Record<string, number>;
  by_type: Record<string, number>;
  by_priority: Record<string, number>;
  by_agent: Record<string, number>;
  pending_count: number;
  avg_response_seconds: number | null;
  responded_today: number;
}
