import { IsBoolean, IsNotEmpty, IsOptional, IsString } from 'class-validator';

/** Input of EventSubscriptionRepository.createSubscription (Python `EventSubscriptionCreate`). */
export class EventSubscriptionCreate {
  @IsString()
  @IsNotEmpty()
  source_agent!: string;

  /** Matched exactly (case-sensitive); the router validates the dotted format, the data layer does not. */
  @IsString()
  @IsNotEmpty()
  event_type!: string;

  /** Template with {{payload.field}} placeholders. */
  @IsString()
  @IsNotEmpty()
  target_message!: string;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean = true;
}

/** An agent-to-agent event subscription (Python `EventSubscription`). */
export interface EventSubscription {
  id: string;
  subscriber_agent: string;
  source_agent: string;
  event_type: string;
  target_message: string;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
  created_by: string;
}

/** A persisted emitted event (Python `AgentEvent`). */
export interface AgentEvent {
  id: string;
  source_agent: string;
  event_type: string;
  payload: Record<string, unknown> | null;
  subscriptions_triggered: number;
  created_at: Date;
}
