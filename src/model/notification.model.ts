import { IsNotEmpty, IsObject, IsOptional, IsString } from 'class-validator';

/** Input of NotificationRepository.createNotification (Python `NotificationCreate`). Values are not checked against the router's enums. */
export class NotificationCreate {
  /** alert, info, status, completion, question (validated by the router, not here). */
  @IsString()
  @IsNotEmpty()
  notification_type!: string;

  /** Truncated to 200 code points when stored. */
  @IsString()
  title!: string;

  @IsOptional()
  @IsString()
  message?: string | null = null;

  /** low, normal, high, urgent (validated by the router, not here). */
  @IsString()
  @IsNotEmpty()
  priority?: string = 'normal';

  @IsOptional()
  @IsString()
  category?: string | null = null;

  /** Stored as JSON; an empty object is stored as NULL. */
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown> | null = null;
}

/** A notification (Python `Notification`). Dismissal also fills acknowledged_at/by. */
export interface Notification {
  id: string;
  agent_name: string;
  notification_type: string;
  title: string;
  message: string | null;
  priority: string;
  category: string | null;
  metadata: Record<string, unknown> | null;
  /** pending | acknowledged | dismissed */
  status: string;
  created_at: Date;
  acknowledged_at: Date | null;
  /** str(users.id) of the user who acknowledged or dismissed it. */
  acknowledged_by: string | null;
}

/** Optional filters of listNotifications; empty strings and lists mean no filter. */
export interface NotificationFilter {
  agentName?: string | null;
  status?: string | null;
  /** Any of these priorities (IN list). */
  priority?: string[] | null;
  category?: string | null;
  /** Default 100; a negative limit means no limit. */
  limit?: number;
}

/** Optional arguments of listAgentNotifications. */
export interface AgentNotificationFilter {
  status?: string | null;
  /** Default 50; a negative limit means no limit. */
  limit?: number;
}
