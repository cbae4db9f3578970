/** Per-agent shared-folder switches (Python `SharedFolderConfig`). */
export interface SharedFolderConfig {
  agent_name: string;
  expose_enabled: boolean;
  consume_enabled: boolean;
  created_at: Date;
  updated_at: Date;
}
