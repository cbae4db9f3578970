import { IsInt, IsNotEmpty, IsOptional, IsString } from 'class-validator';

/**
 * The arguments of SubscriptionRepository.createSubscription, validated as one object. The token
 * prefix (`sk-ant-oat01-`) is the router's check (`SubscriptionCredentialCreate`), not the data layer's.
 */
export class SubscriptionCredentialWrite {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsString()
  @IsNotEmpty()
  token!: string;

  @IsInt()
  owner_id!: number;

  @IsOptional()
  @IsString()
  subscription_type?: string | null = null;

  @IsOptional()
  @IsString()
  rate_limit_tier?: string | null = null;
}

/** A registered Claude subscription (Python `SubscriptionCredential`); never carries the token. */
export interface SubscriptionCredential {
  id: string;
  name: string;
  subscription_type: string | null;
  rate_limit_tier: string | null;
  owner_id: number;
  /** `users.email` of the owner (INNER JOIN: a subscription without its owner is invisible). */
  owner_email: string | null;
  created_at: Date;
  updated_at: Date;
  /** Agents assigned; always 0 in the value createSubscription returns (legacy read-back). */
  agent_count: number;
}

/** `list_subscriptions_with_agents` rows: agent_count = agents.length. */
export interface SubscriptionWithAgents extends SubscriptionCredential {
  agents: string[];
}

export interface SubscriptionUsageWindow {
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  message_count: number;
}

export interface SubscriptionUsage {
  subscription_id: string;
  window_5h: SubscriptionUsageWindow;
  window_7d: SubscriptionUsageWindow;
  /** The agents assigned now, in agent_ownership insertion order. */
  agents: string[];
}
