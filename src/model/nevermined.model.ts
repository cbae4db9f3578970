import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString } from 'class-validator';

/**
 * The arguments of NeverminedRepository.createOrUpdateConfig, validated as one object. The value
 * rules of the router (`NeverminedConfigCreate`: environment names, credits >= 1) are not the data layer's.
 */
export class NeverminedConfigWrite {
  @IsString()
  @IsNotEmpty()
  agent_name!: string;

  @IsString()
  @IsNotEmpty()
  nvm_api_key!: string;

  @IsString()
  nvm_environment!: string;

  @IsString()
  nvm_agent_id!: string;

  @IsString()
  nvm_plan_id!: string;

  @IsInt()
  credits_per_request: number = 1;
}

/** The keyword arguments of `log_payment` (an unknown key is a TypeError in Python: rejected here). */
export interface PaymentLogOptions {
  executionId?: string | null;
  subscriberAddress?: string | null;
  /** An integer; a numeric string such as "42" is stored as 42, as SQLite's INTEGER affinity did. */
  creditsAmount?: number | string | null;
  txHash?: string | null;
  remainingBalance?: number | string | null;
  error?: string | null;
}

/** The arguments of NeverminedRepository.logPayment, validated as one object (integers already converted). */
export class NeverminedPaymentWrite {
  @IsString()
  @IsNotEmpty()
  agent_name!: string;

  @IsString()
  action!: string;

  @IsBoolean()
  success!: boolean;

  @IsOptional()
  @IsString()
  execution_id?: string | null = null;

  @IsOptional()
  @IsString()
  subscriber_address?: string | null = null;

  @IsOptional()
  @IsInt()
  credits_amount?: number | null = null;

  @IsOptional()
  @IsString()
  tx_hash?: string | null = null;

  @IsOptional()
  @IsInt()
  remaining_balance?: number | null = null;

  @IsOptional()
  @IsString()
  error?: string | null = null;
}

/** Per-agent Nevermined payment configuration (Python `NeverminedConfig`); never carries the API key. */
export interface NeverminedConfig {
  id: string;
  agent_name: string;
  nvm_environment: string;
  nvm_agent_id: string;
  nvm_plan_id: string;
  credits_per_request: number;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

/** `get_config_with_key`: for internal use only (the key must never reach an API response). */
export interface NeverminedConfigWithKeyDict {
  config: NeverminedConfig;
  /** "" when the decrypted payload has no `nvm_api_key`. */
  nvm_api_key: string;
}

/** One verify/settle/settle_failed/reject audit entry (Python `NeverminedPaymentLog`). */
export interface NeverminedPaymentLog {
  id: string;
  agent_name: string;
  execution_id: string | null;
  action: string;
  subscriber_address: string | null;
  credits_amount: number | null;
  tx_hash: string | null;
  remaining_balance: number | null;
  success: boolean;
  error: string | null;
  created_at: Date;
}
