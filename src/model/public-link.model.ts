import { IsBoolean, IsNotEmpty, IsOptional, IsString, ValidateBy, type ValidationOptions } from 'class-validator';
import { isStorableTimestamp, STORABLE_TIMESTAMP } from '../codec/timestamp';

/**
 * An ISO-8601 timestamp as Python's `datetime.fromisoformat` reads it (or a Date). The empty string
 * is accepted too: the legacy layer stores it and reads it as "no expiry".
 */
function IsLegacyTimestamp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isLegacyTimestamp',
      validator: {
        validate: (value: unknown) => value === '' || isStorableTimestamp(value),
        defaultMessage: () => `$property must be ${STORABLE_TIMESTAMP}, or an empty string`,
      },
    },
    options,
  );
}

/** Arguments of PublicLinkRepository.createPublicLink (Python `PublicLinkCreate` plus the loose args). */
export class PublicLinkCreate {
  @IsString()
  @IsNotEmpty()
  agent_name!: string;

  /** The creator's username (the legacy router stores the username, not the user id). */
  @IsString()
  @IsNotEmpty()
  created_by!: string;

  @IsOptional()
  @IsString()
  name?: string | null = null;

  @IsBoolean()
  require_email?: boolean = false;

  /** ISO text, stored as given on SQLite; '' means no expiry. */
  @IsOptional()
  @IsLegacyTimestamp()
  expires_at?: string | Date | null = null;
}

/** Arguments of updatePublicLink: null/undefined = unchanged (Python `PublicLinkUpdate`). */
export class PublicLinkUpdate {
  @IsOptional()
  @IsString()
  name?: string | null;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean | null;

  @IsOptional()
  @IsBoolean()
  require_email?: boolean | null;

  /** '' clears the expiry (see docs/COMPATIBILITY.md → public_links). */
  @IsOptional()
  @IsLegacyTimestamp()
  expires_at?: string | Date | null;
}

/** A public link (Python dict `_row_to_link`); timestamps as Date. */
export interface PublicLinkDict {
  id: string;
  agent_name: string;
  token: string;
  created_by: string;
  created_at: Date;
  /** null = never expires (also for a legacy '' value). */
  expires_at: Date | null;
  enabled: boolean;
  name: string | null;
  require_email: boolean;
}

export type LinkInvalidReason = 'not_found' | 'disabled' | 'expired';

/** `is_link_valid`: [valid, reason, link]. */
export type PublicLinkValidity = [valid: true, reason: null, link: PublicLinkDict] | [valid: false, reason: LinkInvalidReason, link: null];

/** `create_verification`. The code is the plaintext 6-digit code the caller e-mails. */
export interface VerificationCreatedDict {
  id: string;
  code: string;
  expires_at: Date;
  expires_in_seconds: number;
}

export interface VerifiedSessionDict {
  session_token: string;
  expires_at: Date;
}

/** `verify_code`: [ok, error, session]. */
export type VerifyCodeResult =
  | [ok: true, error: null, session: VerifiedSessionDict]
  | [ok: false, error: 'invalid_code' | 'code_expired', session: null];

/** `validate_session`: [valid, lower-cased email]. */
export type SessionValidity = [valid: true, email: string] | [valid: false, email: null];

export interface UsageRecordedDict {
  id: string;
  recorded: true;
}

export interface LinkUsageStatsDict {
  total_messages: number;
  unique_users: number;
  unique_ips: number;
  last_used_at: Date | null;
}

/** A `public_user_memory` row. */
export interface PublicUserMemoryDict {
  id: string;
  agent_name: string;
  user_email: string;
  memory_text: string;
  message_count: number;
  created_at: Date;
  updated_at: Date;
}
