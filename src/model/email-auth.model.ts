/** `list_whitelist` rows. */
export interface WhitelistRow {
  id: number;
  email: string;
  /** The adding user's numeric id as TEXT (e.g. "1"): the legacy column is TEXT. */
  added_by: string;
  /** NULL when that user no longer exists. */
  added_by_username: string | null;
  added_at: Date;
  source: string;
}

/** `create_login_code` result. */
export interface LoginCodeCreatedDict {
  code_id: string;
  /** Six digits, zero-padded ("004217"). */
  code: string;
  created_at: Date;
  expires_at: Date;
  expires_in_seconds: number;
}

/** `verify_login_code` result; `email` is the lower-cased argument. */
export interface LoginCodeVerifiedDict {
  code_id: string;
  email: string;
  verified: true;
}
