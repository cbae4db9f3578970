import type { SqlExecutor } from '../sql/executor';
import type { RepositoryOptions } from './base.repository';
import { UserRepository } from './user.repository';
import { AgentRepository } from './agent.repository';
import { McpKeyRepository } from './mcp-key.repository';
import { ScheduleRepository } from './schedule.repository';
import { ChatRepository } from './chat.repository';
import { ActivityRepository } from './activity.repository';
import { PermissionRepository } from './permission.repository';
import { SharedFolderRepository } from './shared-folder.repository';
import { SettingsRepository } from './settings.repository';
import { EmailAuthRepository } from './email-auth.repository';
import { PublicLinkRepository } from './public-link.repository';
import { SkillRepository } from './skill.repository';
import { PublicChatRepository } from './public-chat.repository';
import { TagRepository } from './tag.repository';
import { SystemViewRepository } from './system-view.repository';
import { NotificationRepository } from './notification.repository';
import { SubscriptionRepository } from './subscription.repository';
import { MonitoringRepository } from './monitoring.repository';
import { DashboardHistoryRepository } from './dashboard-history.repository';
import { SlackRepository } from './slack.repository';
import { SlackChannelRepository } from './slack-channel.repository';
import { NeverminedRepository } from './nevermined.repository';
import { OperatorQueueRepository } from './operator-queue.repository';
import { EventSubscriptionRepository } from './event-subscription.repository';
import { TelegramChannelRepository } from './telegram-channel.repository';

export { BaseRepository, type RepositoryLogger, type RepositoryOptions } from './base.repository';
export {
  UserRepository,
  AgentRepository,
  McpKeyRepository,
  ScheduleRepository,
  ChatRepository,
  ActivityRepository,
  PermissionRepository,
  SharedFolderRepository,
  SettingsRepository,
  EmailAuthRepository,
  PublicLinkRepository,
  SkillRepository,
  PublicChatRepository,
  TagRepository,
  SystemViewRepository,
  NotificationRepository,
  SubscriptionRepository,
  MonitoringRepository,
  DashboardHistoryRepository,
  SlackRepository,
  SlackChannelRepository,
  NeverminedRepository,
  OperatorQueueRepository,
  EventSubscriptionRepository,
  TelegramChannelRepository,
};

/** The repository classes under their property names on DatabaseManager (`db.users`, ...). */
export const REPOSITORY_CLASSES = {
  users: UserRepository,
  agents: AgentRepository,
  mcpKeys: McpKeyRepository,
  schedules: ScheduleRepository,
  chat: ChatRepository,
  activities: ActivityRepository,
  permissions: PermissionRepository,
  sharedFolders: SharedFolderRepository,
  settings: SettingsRepository,
  emailAuth: EmailAuthRepository,
  publicLinks: PublicLinkRepository,
  skills: SkillRepository,
  publicChat: PublicChatRepository,
  tags: TagRepository,
  systemViews: SystemViewRepository,
  notifications: NotificationRepository,
  subscriptions: SubscriptionRepository,
  monitoring: MonitoringRepository,
  dashboardHistory: DashboardHistoryRepository,
  slack: SlackRepository,
  slackChannels: SlackChannelRepository,
  nevermined: NeverminedRepository,
  operatorQueue: OperatorQueueRepository,
  eventSubscriptions: EventSubscriptionRepository,
  telegramChannels: TelegramChannelRepository,
} as const;

export type RepositoryKey = keyof typeof REPOSITORY_CLASSES;
export const REPOSITORY_KEYS = Object.keys(REPOSITORY_CLASSES) as RepositoryKey[];
export type Repositories = { [K in RepositoryKey]: InstanceType<(typeof REPOSITORY_CLASSES)[K]> };

/** Every repository, built on one executor (the DataSource's, or a transaction's). */
export function createRepositories(executor: SqlExecutor, options: RepositoryOptions = {}): Repositories {
  const repositories = {} as Record<RepositoryKey, unknown>;
  for (const key of REPOSITORY_KEYS) repositories[key] = new REPOSITORY_CLASSES[key](executor, options);
  return repositories as Repositories;
}
