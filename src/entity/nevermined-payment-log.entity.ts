import { BoolColumn, Index, IntColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `nevermined_payment_log`: Audit log of payment verify/settle actions. */
@Table('nevermined_payment_log')
@Index('idx_nvm_payment_log_agent', ['agent_name', '-created_at'])
@Index('idx_nvm_payment_log_execution', ['execution_id'])
export class NeverminedPaymentLog {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'execution_id' })
  executionId!: string | null;

  @TextColumn({ name: 'action', nullable: false })
  action!: string;

  @TextColumn({ name: 'subscriber_address' })
  subscriberAddress!: string | null;

  @IntColumn({ name: 'credits_amount' })
  creditsAmount!: number | null;

  @TextColumn({ name: 'tx_hash' })
  txHash!: string | null;

  @IntColumn({ name: 'remaining_balance' })
  remainingBalance!: number | null;

  @BoolColumn({ name: 'success', nullable: false, default: false })
  success!: boolean;

  @TextColumn({ name: 'error' })
  error!: string | null;

  @TimestampColumn({ name: 'created_at', nullable: false, format: 'naive' })
  createdAt!: Date;
}
