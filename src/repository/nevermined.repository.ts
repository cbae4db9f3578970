import type { SqlExecutor } from '../sql/executor';
import { CredentialEncryption } from '../codec/credential-encryption';
import { NeverminedAgentConfig, NeverminedPaymentLog as PaymentLogEntity } from '../entity';
import { InputValidationError } from '../errors';
import type { NeverminedConfig, NeverminedConfigWithKeyDict, NeverminedPaymentLog, PaymentLogOptions } from '../model/nevermined.model';
import { NeverminedConfigWrite, NeverminedPaymentWrite } from '../model/nevermined.model';
import { requireInteger, requireKnownKeys, requireString, validateInput } from '../model/validate';
import { BaseRepository, type RepositoryOptions } from './base.repository';
import { uuid4 } from './ids';

export interface NeverminedRepositoryOptions extends RepositoryOptions {
  /** Encrypts and decrypts API keys; default: the key in CREDENTIAL_ENCRYPTION_KEY, read on each use. */
  encryption?: CredentialEncryption;
}

const CONFIG_COLUMNS = 'id, agent_name, nvm_environment, nvm_agent_id, nvm_plan_id, credits_per_request, enabled, created_at, updated_at';
const LOG_COLUMNS = 'id, agent_name, execution_id, action, subscriber_address, credits_amount, tx_hash, remaining_balance, success, error, created_at';

/** The keyword arguments of `log_payment`, camelCase -> column. */
const PAYMENT_OPTIONS: Record<keyof PaymentLogOptions, keyof NeverminedPaymentWrite> = {
  executionId: 'execution_id',
  subscriberAddress: 'subscriber_address',
  creditsAmount: 'credits_amount',
  txHash: 'tx_hash',
  remainingBalance: 'remaining_balance',
  error: 'error',
};
const INTEGER_OPTIONS = new Set<string>(['creditsAmount', 'remainingBalance']);

/** Per-agent Nevermined (x402) payment configuration and the payment audit log (Python `NeverminedOperations`). */
export class NeverminedRepository extends BaseRepository {
  private readonly encryption: CredentialEncryption;

  constructor(executor: SqlExecutor, options: NeverminedRepositoryOptions = {}) {
    super(executor, options);
    this.encryption = options.encryption ?? new CredentialEncryption();
  }

  /**
   * Creates the agent's configuration (disabled) or replaces its key, environment, ids and credits;
   * id, created_at and `enabled` are kept. The API key is encrypted before anything is written.
   */
  async createOrUpdateConfig(
    agentName: string,
    nvmApiKey: string,
    nvmEnvironment: string,
    nvmAgentId: string,
    nvmPlanId: string,
    creditsPerRequest = 1,
  ): Promise<NeverminedConfig> {
    const input = validateInput(
      NeverminedConfigWrite,
      { agent_name: agentName, nvm_api_key: nvmApiKey, nvm_environment: nvmEnvironment, nvm_agent_id: nvmAgentId, nvm_plan_id: nvmPlanId, credits_per_request: creditsPerRequest },
      'config',
    );
    const encrypted = this.encryption.encrypt({ nvm_api_key: input.nvm_api_key });
    const now = this.encode(NeverminedAgentConfig, 'created_at', this.now());
    // One atomic upsert: concurrent first configurations of one agent cannot collide on the UNIQUE agent_name.
    const [{ id }] = await this.select<{ id: string }>(
      `INSERT INTO nevermined_agent_config (id, agent_name, encrypted_credentials, nvm_environment, nvm_agent_id, nvm_plan_id, credits_per_request, enabled, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (agent_name) DO UPDATE SET encrypted_credentials = excluded.encrypted_credentials, nvm_environment = excluded.nvm_environment,
         nvm_agent_id = excluded.nvm_agent_id, nvm_plan_id = excluded.nvm_plan_id, credits_per_request = excluded.credits_per_request,
         updated_at = excluded.updated_at
       RETURNING id`,
      [
        uuid4(),
        input.agent_name,
        encrypted,
        input.nvm_environment,
        input.nvm_agent_id,
        input.nvm_plan_id,
        input.credits_per_request,
        this.encode(NeverminedAgentConfig, 'enabled', false),
        now,
        now,
      ],
    );
    return (await this.selectConfig('id', id))!;
  }

  async getConfig(agentName: string): Promise<NeverminedConfig | null> {
    return this.selectConfig('agent_name', agentName);
  }

  /**
   * The configuration with the decrypted API key ("" when the payload has none), for internal use
   * only. Decryption failures (missing or wrong key, damaged envelope) throw CredentialEncryptionError.
   */
  async getConfigWithKey(agentName: string): Promise<NeverminedConfigWithKeyDict | null> {
    const rows = await this.select<Record<string, unknown>>(`SELECT ${CONFIG_COLUMNS}, encrypted_credentials FROM nevermined_agent_config WHERE agent_name = ?`, [agentName]);
    if (!rows.length) return null;
    const { encrypted_credentials, ...row } = rows[0];
    const payload = this.encryption.decrypt(encrypted_credentials as string);
    const key = payload.nvm_api_key;
    return { config: this.toConfig(row), nvm_api_key: key === undefined || key === null ? '' : String(key) };
  }

  /** Deletes the configuration; the payment log stays. */
  async deleteConfig(agentName: string): Promise<boolean> {
    requireString('agentName', agentName);
    const { affected } = await this.execute(`DELETE FROM nevermined_agent_config WHERE agent_name = ?`, [agentName]);
    return affected > 0;
  }

  /** False (and nothing created) when the agent has no configuration. */
  async setEnabled(agentName: string, enabled: boolean): Promise<boolean> {
    requireString('agentName', agentName);
    if (typeof enabled !== 'boolean') throw new InputValidationError('enabled', `expected a boolean, got ${typeof enabled}`);
    const { affected } = await this.execute(`UPDATE nevermined_agent_config SET enabled = ?, updated_at = ? WHERE agent_name = ?`, [
      this.encode(NeverminedAgentConfig, 'enabled', enabled),
      this.encode(NeverminedAgentConfig, 'updated_at', this.now()),
      agentName,
    ]);
    return affected > 0;
  }

  async isNeverminedEnabled(agentName: string): Promise<boolean> {
    const rows = await this.select<{ enabled: unknown }>(`SELECT enabled FROM nevermined_agent_config WHERE agent_name = ?`, [agentName]);
    return rows.length > 0 && this.decode<boolean | null>(NeverminedAgentConfig, 'enabled', rows[0].enabled) === true;
  }

  /**
   * Appends an audit entry. `action` is free text (callers use verify, settle, settle_failed, reject).
   * @param opts the Python keyword arguments: executionId, subscriberAddress, creditsAmount, txHash, remainingBalance, error
   */
  async logPayment(agentName: string, action: string, success: boolean, opts: PaymentLogOptions = {}): Promise<NeverminedPaymentLog> {
    const input = validateInput(NeverminedPaymentWrite, { agent_name: agentName, action, success, ...paymentOptions(opts) }, 'payment');
    const id = uuid4();
    await this.execute(
      `INSERT INTO nevermined_payment_log (id, agent_name, execution_id, action, subscriber_address, credits_amount, tx_hash, remaining_balance, success, error, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        input.agent_name,
        input.execution_id ?? null,
        input.action,
        input.subscriber_address ?? null,
        input.credits_amount ?? null,
        input.tx_hash ?? null,
        input.remaining_balance ?? null,
        this.encode(PaymentLogEntity, 'success', input.success),
        input.error ?? null,
        this.encode(PaymentLogEntity, 'created_at', this.now()),
      ],
    );
    return (await this.getPaymentLogEntry(id))!;
  }

  /** The agent's entries, newest first; a negative limit means no limit (SQLite's LIMIT -1). */
  async getPaymentLog(agentName: string, limit = 50): Promise<NeverminedPaymentLog[]> {
    return this.selectLog(`WHERE agent_name = ?`, [agentName], limit);
  }

  /** `settle_failed` entries of every agent, newest first. */
  async getSettlementFailures(limit = 50): Promise<NeverminedPaymentLog[]> {
    return this.selectLog(`WHERE action = 'settle_failed'`, [], limit);
  }

  async getPaymentLogEntry(logId: string): Promise<NeverminedPaymentLog | null> {
    const rows = await this.select<Record<string, unknown>>(`SELECT ${LOG_COLUMNS} FROM nevermined_payment_log WHERE id = ?`, [logId]);
    return rows.length ? this.toLog(rows[0]) : null;
  }

  // -- helpers ---------------------------------------------------------------------------------

  private async selectConfig(column: 'id' | 'agent_name', value: string): Promise<NeverminedConfig | null> {
    const rows = await this.select<Record<string, unknown>>(`SELECT ${CONFIG_COLUMNS} FROM nevermined_agent_config WHERE ${column} = ?`, [value]);
    return rows.length ? this.toConfig(rows[0]) : null;
  }

  private async selectLog(where: string, params: unknown[], limit: number): Promise<NeverminedPaymentLog[]> {
    requireInteger('limit', limit);
    // Ties (same millisecond) by id, so both drivers return the same order.
    const sql = `SELECT ${LOG_COLUMNS} FROM nevermined_payment_log ${where} ORDER BY created_at DESC, ${this.sql.binary('id')} DESC`;
    const rows = await this.select<Record<string, unknown>>(...this.withLimit(sql, params, limit));
    return rows.map((row) => this.toLog(row));
  }

  private toConfig(row: Record<string, unknown>): NeverminedConfig {
    const r = this.decodeRow<NeverminedConfig>(NeverminedAgentConfig, row);
    return { ...r, credits_per_request: Number(r.credits_per_request), enabled: r.enabled === true };
  }

  private toLog(row: Record<string, unknown>): NeverminedPaymentLog {
    const r = this.decodeRow<NeverminedPaymentLog>(PaymentLogEntity, row);
    return {
      ...r,
      credits_amount: r.credits_amount === null ? null : Number(r.credits_amount),
      remaining_balance: r.remaining_balance === null ? null : Number(r.remaining_balance),
      success: r.success === true,
    };
  }
}

/**
 * The options object as snake_case fields. Unknown keys are refused (Python: TypeError); integer
 * strings such as "42" become numbers, as SQLite's INTEGER affinity stored them.
 */
function paymentOptions(opts: PaymentLogOptions): Record<string, unknown> {
  requireKnownKeys('opts', opts, Object.keys(PAYMENT_OPTIONS), 'logPayment');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(opts)) {
    const column = PAYMENT_OPTIONS[key as keyof PaymentLogOptions];
    out[column] = INTEGER_OPTIONS.has(key) && typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : value;
  }
  return out;
}
