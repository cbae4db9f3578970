import { InputValidationError } from './errors';
import { REPOSITORY_CLASSES, REPOSITORY_KEYS, type Repositories, type RepositoryKey, type RepositoryOptions } from './repository';
import { DashboardHistoryRepository } from './repository/dashboard-history.repository';
import { SharedFolderRepository } from './repository/shared-folder.repository';
import type { SqlExecutor } from './sql/executor';

/** The names of a repository's methods that return a promise (the only ones a facade entry may name). */
type AsyncMethodName<R> = { [K in keyof R]: R[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof R] & string;
/** One facade entry: a repository property and one of that repository's async methods (checked by the compiler). */
export type FacadeEntry = { [R in RepositoryKey]: readonly [R, AsyncMethodName<Repositories[R]>] }[RepositoryKey];

/**
 * The facade of the Python DatabaseManager: facade name (camelCase of the Python name) ->
 * [repository property, repository method]. Every entry is a pure delegation, with the full
 * signature of the repository method (so arguments the Python facade dropped are available).
 * getFullCapabilities / setFullCapabilities are the two the Python facade forgot.
 */
export const FACADE_METHODS = {
  // users
  getUserByUsername: ['users', 'getUserByUsername'],
  getUserByAuth0Sub: ['users', 'getUserByAuth0Sub'],
  getUserById: ['users', 'getUserById'],
  getUserByEmail: ['users', 'getUserByEmail'],
  createUser: ['users', 'createUser'],
  updateUser: ['users', 'updateUser'],
  updateLastLogin: ['users', 'updateLastLogin'],
  updateUserPassword: ['users', 'updateUserPassword'],
  getOrCreateAuth0User: ['users', 'getOrCreateAuth0User'],
  listUsers: ['users', 'listUsers'],
  // agents
  registerAgentOwner: ['agents', 'registerAgentOwner'],
  getAgentOwner: ['agents', 'getAgentOwner'],
  getAgentsByOwner: ['agents', 'getAgentsByOwner'],
  deleteAgentOwnership: ['agents', 'deleteAgentOwnership'],
  renameAgent: ['agents', 'renameAgent'],
  canUserAccessAgent: ['agents', 'canUserAccessAgent'],
  canUserDeleteAgent: ['agents', 'canUserDeleteAgent'],
  canUserRenameAgent: ['agents', 'canUserRenameAgent'],
  isSystemAgent: ['agents', 'isSystemAgent'],
  shareAgent: ['agents', 'shareAgent'],
  unshareAgent: ['agents', 'unshareAgent'],
  getAgentShares: ['agents', 'getAgentShares'],
  getSharedAgents: ['agents', 'getSharedAgents'],
  isAgentSharedWithUser: ['agents', 'isAgentSharedWithUser'],
  canUserShareAgent: ['agents', 'canUserShareAgent'],
  deleteAgentShares: ['agents', 'deleteAgentShares'],
  getUsePlatformApiKey: ['agents', 'getUsePlatformApiKey'],
  setUsePlatformApiKey: ['agents', 'setUsePlatformApiKey'],
  getAutonomyEnabled: ['agents', 'getAutonomyEnabled'],
  setAutonomyEnabled: ['agents', 'setAutonomyEnabled'],
  getAllAgentsAutonomyStatus: ['agents', 'getAllAgentsAutonomyStatus'],
  getAllAgentMetadata: ['agents', 'getAllAgentMetadata'],
  getAccessibleAgentNames: ['agents', 'getAccessibleAgentNames'],
  getResourceLimits: ['agents', 'getResourceLimits'],
  setResourceLimits: ['agents', 'setResourceLimits'],
  getReadOnlyMode: ['agents', 'getReadOnlyMode'],
  setReadOnlyMode: ['agents', 'setReadOnlyMode'],
  getMaxParallelTasks: ['agents', 'getMaxParallelTasks'],
  setMaxParallelTasks: ['agents', 'setMaxParallelTasks'],
  getAllAgentsParallelCapacity: ['agents', 'getAllAgentsParallelCapacity'],
  getExecutionTimeout: ['agents', 'getExecutionTimeout'],
  setExecutionTimeout: ['agents', 'setExecutionTimeout'],
  setAvatarIdentity: ['agents', 'setAvatarIdentity'],
  getAvatarIdentity: ['agents', 'getAvatarIdentity'],
  clearAvatarIdentity: ['agents', 'clearAvatarIdentity'],
  getAgentsWithoutCustomAvatar: ['agents', 'getAgentsWithoutCustomAvatar'],
  setDefaultAvatar: ['agents', 'setDefaultAvatar'],
  getFullCapabilities: ['agents', 'getFullCapabilities'],
  setFullCapabilities: ['agents', 'setFullCapabilities'],
  // mcpKeys
  createMcpApiKey: ['mcpKeys', 'createMcpApiKey'],
  createAgentMcpApiKey: ['mcpKeys', 'createAgentMcpApiKey'],
  getAgentMcpApiKey: ['mcpKeys', 'getAgentMcpApiKey'],
  deleteAgentMcpApiKey: ['mcpKeys', 'deleteAgentMcpApiKey'],
  validateMcpApiKey: ['mcpKeys', 'validateMcpApiKey'],
  getMcpApiKey: ['mcpKeys', 'getMcpApiKey'],
  listMcpApiKeys: ['mcpKeys', 'listMcpApiKeys'],
  listAllMcpApiKeys: ['mcpKeys', 'listAllMcpApiKeys'],
  revokeMcpApiKey: ['mcpKeys', 'revokeMcpApiKey'],
  deleteMcpApiKey: ['mcpKeys', 'deleteMcpApiKey'],
  // schedules
  createSchedule: ['schedules', 'createSchedule'],
  getSchedule: ['schedules', 'getSchedule'],
  listAgentSchedules: ['schedules', 'listAgentSchedules'],
  listAllEnabledSchedules: ['schedules', 'listAllEnabledSchedules'],
  listAllDisabledSchedules: ['schedules', 'listAllDisabledSchedules'],
  listAllSchedules: ['schedules', 'listAllSchedules'],
  updateSchedule: ['schedules', 'updateSchedule'],
  deleteSchedule: ['schedules', 'deleteSchedule'],
  setScheduleEnabled: ['schedules', 'setScheduleEnabled'],
  updateScheduleRunTimes: ['schedules', 'updateScheduleRunTimes'],
  deleteAgentSchedules: ['schedules', 'deleteAgentSchedules'],
  createTaskExecution: ['schedules', 'createTaskExecution'],
  createScheduleExecution: ['schedules', 'createScheduleExecution'],
  updateExecutionStatus: ['schedules', 'updateExecutionStatus'],
  markExecutionDispatched: ['schedules', 'markExecutionDispatched'],
  getScheduleExecutions: ['schedules', 'getScheduleExecutions'],
  getAgentExecutions: ['schedules', 'getAgentExecutions'],
  getAgentExecutionsSummary: ['schedules', 'getAgentExecutionsSummary'],
  getExecution: ['schedules', 'getExecution'],
  getAllAgentsExecutionStats: ['schedules', 'getAllAgentsExecutionStats'],
  getAllAgentsExecutionStatsDual: ['schedules', 'getAllAgentsExecutionStatsDual'],
  getAllAgentsScheduleCounts: ['schedules', 'getAllAgentsScheduleCounts'],
  createGitConfig: ['schedules', 'createGitConfig'],
  getGitConfig: ['schedules', 'getGitConfig'],
  updateGitSync: ['schedules', 'updateGitSync'],
  setGitSyncEnabled: ['schedules', 'setGitSyncEnabled'],
  deleteGitConfig: ['schedules', 'deleteGitConfig'],
  listGitEnabledAgents: ['schedules', 'listGitEnabledAgents'],
  // chat
  getOrCreateChatSession: ['chat', 'getOrCreateChatSession'],
  addChatMessage: ['chat', 'addChatMessage'],
  getChatSession: ['chat', 'getChatSession'],
  getChatMessages: ['chat', 'getChatMessages'],
  getAgentChatHistory: ['chat', 'getAgentChatHistory'],
  getAgentChatSessions: ['chat', 'getAgentChatSessions'],
  closeChatSession: ['chat', 'closeChatSession'],
  createNewChatSession: ['chat', 'createNewChatSession'],
  deleteChatSession: ['chat', 'deleteChatSession'],
  // activities
  createActivity: ['activities', 'createActivity'],
  completeActivity: ['activities', 'completeActivity'],
  getActivity: ['activities', 'getActivity'],
  getAgentActivities: ['activities', 'getAgentActivities'],
  getActivitiesInRange: ['activities', 'getActivitiesInRange'],
  getCurrentActivities: ['activities', 'getCurrentActivities'],
  // schedules
  getRunningExecutions: ['schedules', 'getRunningExecutions'],
  markStaleExecutionsFailed: ['schedules', 'markStaleExecutionsFailed'],
  markNoSessionExecutionsFailed: ['schedules', 'markNoSessionExecutionsFailed'],
  failStaleSlotExecution: ['schedules', 'failStaleSlotExecution'],
  finalizeOrphanedSkippedExecutions: ['schedules', 'finalizeOrphanedSkippedExecutions'],
  // activities
  markStaleActivitiesFailed: ['activities', 'markStaleActivitiesFailed'],
  // permissions
  getPermittedAgents: ['permissions', 'getPermittedAgents'],
  getPermissionDetails: ['permissions', 'getPermissionDetails'],
  isAgentPermitted: ['permissions', 'isPermitted'],
  addAgentPermission: ['permissions', 'addPermission'],
  removeAgentPermission: ['permissions', 'removePermission'],
  setAgentPermissions: ['permissions', 'setPermissions'],
  deleteAgentPermissions: ['permissions', 'deleteAgentPermissions'],
  grantDefaultPermissions: ['permissions', 'grantDefaultPermissions'],
  // sharedFolders
  getSharedFolderConfig: ['sharedFolders', 'getSharedFolderConfig'],
  upsertSharedFolderConfig: ['sharedFolders', 'upsertSharedFolderConfig'],
  deleteSharedFolderConfig: ['sharedFolders', 'deleteSharedFolderConfig'],
  getAgentsExposingFolders: ['sharedFolders', 'getAgentsExposingFolders'],
  getAvailableSharedFolders: ['sharedFolders', 'getAvailableSharedFolders'],
  getConsumingAgents: ['sharedFolders', 'getConsumingAgents'],
  // settings
  getSetting: ['settings', 'getSetting'],
  getSettingValue: ['settings', 'getSettingValue'],
  setSetting: ['settings', 'setSetting'],
  deleteSetting: ['settings', 'deleteSetting'],
  getAllSettings: ['settings', 'getAllSettings'],
  getSettingsDict: ['settings', 'getSettingsDict'],
  // publicLinks
  createPublicLink: ['publicLinks', 'createPublicLink'],
  getPublicLink: ['publicLinks', 'getPublicLink'],
  getPublicLinkByToken: ['publicLinks', 'getPublicLinkByToken'],
  listAgentPublicLinks: ['publicLinks', 'listAgentPublicLinks'],
  updatePublicLink: ['publicLinks', 'updatePublicLink'],
  deletePublicLink: ['publicLinks', 'deletePublicLink'],
  deleteAgentPublicLinks: ['publicLinks', 'deleteAgentPublicLinks'],
  isPublicLinkValid: ['publicLinks', 'isLinkValid'],
  createVerification: ['publicLinks', 'createVerification'],
  verifyCode: ['publicLinks', 'verifyCode'],
  validateSession: ['publicLinks', 'validateSession'],
  countRecentVerificationRequests: ['publicLinks', 'countRecentVerificationRequests'],
  recordPublicLinkUsage: ['publicLinks', 'recordUsage'],
  getPublicLinkUsageStats: ['publicLinks', 'getLinkUsageStats'],
  countRecentMessagesByIp: ['publicLinks', 'countRecentMessagesByIp'],
  countRecentMessagesByToken: ['publicLinks', 'countRecentMessagesByToken'],
  // emailAuth
  isEmailWhitelisted: ['emailAuth', 'isEmailWhitelisted'],
  addToWhitelist: ['emailAuth', 'addToWhitelist'],
  removeFromWhitelist: ['emailAuth', 'removeFromWhitelist'],
  listWhitelist: ['emailAuth', 'listWhitelist'],
  createLoginCode: ['emailAuth', 'createLoginCode'],
  verifyLoginCode: ['emailAuth', 'verifyLoginCode'],
  countRecentCodeRequests: ['emailAuth', 'countRecentCodeRequests'],
  cleanupOldCodes: ['emailAuth', 'cleanupOldCodes'],
  getOrCreateEmailUser: ['emailAuth', 'getOrCreateEmailUser'],
  // skills
  getAgentSkills: ['skills', 'getAgentSkills'],
  getAgentSkillNames: ['skills', 'getAgentSkillNames'],
  assignSkill: ['skills', 'assignSkill'],
  unassignSkill: ['skills', 'unassignSkill'],
  setAgentSkills: ['skills', 'setAgentSkills'],
  deleteAgentSkills: ['skills', 'deleteAgentSkills'],
  isSkillAssigned: ['skills', 'isSkillAssigned'],
  getAgentsWithSkill: ['skills', 'getAgentsWithSkill'],
  // publicChat
  getOrCreatePublicChatSession: ['publicChat', 'getOrCreateSession'],
  getPublicChatSessionByIdentifier: ['publicChat', 'getSessionByIdentifier'],
  getPublicChatSession: ['publicChat', 'getSession'],
  addPublicChatMessage: ['publicChat', 'addMessage'],
  getPublicChatMessages: ['publicChat', 'getSessionMessages'],
  getRecentPublicChatMessages: ['publicChat', 'getRecentMessages'],
  clearPublicChatSession: ['publicChat', 'clearSession'],
  buildPublicChatContext: ['publicChat', 'buildContextPrompt'],
  deletePublicLinkSessions: ['publicChat', 'deleteLinkSessions'],
  // publicLinks
  getOrCreatePublicUserMemory: ['publicLinks', 'getOrCreateUserMemory'],
  incrementPublicUserMemoryCount: ['publicLinks', 'incrementMessageCount'],
  updatePublicUserMemory: ['publicLinks', 'updateUserMemory'],
  // tags
  getAgentTags: ['tags', 'getAgentTags'],
  setAgentTags: ['tags', 'setAgentTags'],
  addAgentTag: ['tags', 'addTag'],
  removeAgentTag: ['tags', 'removeTag'],
  listAllTags: ['tags', 'listAllTags'],
  getAgentsByTag: ['tags', 'getAgentsByTag'],
  getAgentsByTags: ['tags', 'getAgentsByTags'],
  deleteAgentTags: ['tags', 'deleteAgentTags'],
  getTagsForAgents: ['tags', 'getTagsForAgents'],
  // systemViews
  createSystemView: ['systemViews', 'createView'],
  getSystemView: ['systemViews', 'getView'],
  listUserSystemViews: ['systemViews', 'listUserViews'],
  listAllSystemViews: ['systemViews', 'listAllViews'],
  updateSystemView: ['systemViews', 'updateView'],
  deleteSystemView: ['systemViews', 'deleteView'],
  canUserViewSystemView: ['systemViews', 'canUserView'],
  canUserEditSystemView: ['systemViews', 'canUserEditView'],
  // notifications
  createNotification: ['notifications', 'createNotification'],
  getNotification: ['notifications', 'getNotification'],
  listNotifications: ['notifications', 'listNotifications'],
  listAgentNotifications: ['notifications', 'listAgentNotifications'],
  acknowledgeNotification: ['notifications', 'acknowledgeNotification'],
  dismissNotification: ['notifications', 'dismissNotification'],
  deleteAgentNotifications: ['notifications', 'deleteAgentNotifications'],
  countPendingNotifications: ['notifications', 'countPendingNotifications'],
  // subscriptions
  createSubscription: ['subscriptions', 'createSubscription'],
  getSubscription: ['subscriptions', 'getSubscription'],
  getSubscriptionByName: ['subscriptions', 'getSubscriptionByName'],
  getSubscriptionToken: ['subscriptions', 'getSubscriptionToken'],
  listSubscriptions: ['subscriptions', 'listSubscriptions'],
  listSubscriptionsWithAgents: ['subscriptions', 'listSubscriptionsWithAgents'],
  deleteSubscription: ['subscriptions', 'deleteSubscription'],
  assignSubscriptionToAgent: ['subscriptions', 'assignSubscriptionToAgent'],
  clearAgentSubscription: ['subscriptions', 'clearAgentSubscription'],
  getAgentSubscription: ['subscriptions', 'getAgentSubscription'],
  getAgentsBySubscription: ['subscriptions', 'getAgentsBySubscription'],
  getAgentSubscriptionId: ['subscriptions', 'getAgentSubscriptionId'],
  getLeastUsedSubscription: ['subscriptions', 'getLeastUsedSubscription'],
  recordRateLimitEvent: ['subscriptions', 'recordRateLimitEvent'],
  isSubscriptionRateLimited: ['subscriptions', 'isSubscriptionRateLimited'],
  clearRateLimitEvents: ['subscriptions', 'clearRateLimitEvents'],
  cleanupOldRateLimitEvents: ['subscriptions', 'cleanupOldRateLimitEvents'],
  selectBestAlternativeSubscription: ['subscriptions', 'selectBestAlternativeSubscription'],
  getSubscriptionUsage: ['subscriptions', 'getSubscriptionUsage'],
  // monitoring
  createHealthCheck: ['monitoring', 'createHealthCheck'],
  getLatestHealthCheck: ['monitoring', 'getLatestHealthCheck'],
  getAgentHealthHistory: ['monitoring', 'getAgentHealthHistory'],
  getAllLatestHealthChecks: ['monitoring', 'getAllLatestHealthChecks'],
  getHealthSummary: ['monitoring', 'getHealthSummary'],
  calculateUptimePercent: ['monitoring', 'calculateUptimePercent'],
  calculateAvgLatency: ['monitoring', 'calculateAvgLatency'],
  cleanupOldHealthRecords: ['monitoring', 'cleanupOldRecords'],
  getAlertCooldown: ['monitoring', 'getCooldown'],
  setAlertCooldown: ['monitoring', 'setCooldown'],
  clearAlertCooldown: ['monitoring', 'clearCooldown'],
  isInAlertCooldown: ['monitoring', 'isInCooldown'],
  cleanupAlertCooldowns: ['monitoring', 'cleanupCooldowns'],
  // dashboardHistory
  captureDashboardSnapshot: ['dashboardHistory', 'captureDashboardSnapshot'],
  getWidgetHistory: ['dashboardHistory', 'getWidgetHistory'],
  getAllWidgetHistory: ['dashboardHistory', 'getAllWidgetHistory'],
  getLastCapturedMtime: ['dashboardHistory', 'getLastCapturedMtime'],
  cleanupOldDashboardSnapshots: ['dashboardHistory', 'cleanupOldSnapshots'],
  deleteAgentDashboardHistory: ['dashboardHistory', 'deleteAgentDashboardHistory'],
  // schedules
  getAgentExecutionStats: ['schedules', 'getAgentExecutionStats'],
  // slack
  createSlackConnection: ['slack', 'createSlackConnection'],
  getSlackConnection: ['slack', 'getSlackConnection'],
  getSlackConnectionByLink: ['slack', 'getSlackConnectionByLink'],
  getSlackConnectionByTeam: ['slack', 'getSlackConnectionByTeam'],
  updateSlackConnection: ['slack', 'updateSlackConnection'],
  deleteSlackConnection: ['slack', 'deleteSlackConnection'],
  deleteSlackConnectionByLink: ['slack', 'deleteSlackConnectionByLink'],
  getSlackUserVerification: ['slack', 'getUserVerification'],
  createSlackUserVerification: ['slack', 'createUserVerification'],
  getSlackPendingVerification: ['slack', 'getPendingVerification'],
  createSlackPendingVerification: ['slack', 'createPendingVerification'],
  updateSlackPendingVerification: ['slack', 'updatePendingVerification'],
  deleteSlackPendingVerification: ['slack', 'deletePendingVerification'],
  cleanupExpiredSlackPendingVerifications: ['slack', 'cleanupExpiredPendingVerifications'],
  // slackChannels
  createSlackWorkspace: ['slackChannels', 'createWorkspace'],
  getSlackWorkspace: ['slackChannels', 'getWorkspaceByTeam'],
  getSlackWorkspaceBotToken: ['slackChannels', 'getWorkspaceBotToken'],
  getAllSlackWorkspaces: ['slackChannels', 'getAllWorkspaces'],
  deleteSlackWorkspace: ['slackChannels', 'deleteWorkspace'],
  bindSlackChannelToAgent: ['slackChannels', 'bindChannelToAgent'],
  getSlackChannelAgent: ['slackChannels', 'getChannelAgent'],
  getSlackAgentNameForChannel: ['slackChannels', 'getAgentNameForChannel'],
  getSlackDmDefaultAgent: ['slackChannels', 'getDmDefaultAgent'],
  getSlackAgentsForWorkspace: ['slackChannels', 'getAgentsForWorkspace'],
  getSlackChannelForAgent: ['slackChannels', 'getChannelForAgent'],
  unbindSlackAgent: ['slackChannels', 'unbindAgent'],
  registerSlackActiveThread: ['slackChannels', 'registerActiveThread'],
  isSlackActiveThread: ['slackChannels', 'isActiveThread'],
  // telegramChannels
  createTelegramBinding: ['telegramChannels', 'createBinding'],
  getTelegramBinding: ['telegramChannels', 'getBindingByAgent'],
  getTelegramBindingByBotId: ['telegramChannels', 'getBindingByBotId'],
  getTelegramBindingByWebhookSecret: ['telegramChannels', 'getBindingByWebhookSecret'],
  getTelegramBotToken: ['telegramChannels', 'getDecryptedBotToken'],
  getAllTelegramBindings: ['telegramChannels', 'getAllBindings'],
  updateTelegramWebhookUrl: ['telegramChannels', 'updateWebhookUrl'],
  updateTelegramLastUpdateId: ['telegramChannels', 'updateLastUpdateId'],
  deleteTelegramBinding: ['telegramChannels', 'deleteBinding'],
  getOrCreateTelegramChatLink: ['telegramChannels', 'getOrCreateChatLink'],
  incrementTelegramMessageCount: ['telegramChannels', 'incrementMessageCount'],
  // nevermined
  createOrUpdateNeverminedConfig: ['nevermined', 'createOrUpdateConfig'],
  getNeverminedConfig: ['nevermined', 'getConfig'],
  getNeverminedConfigWithKey: ['nevermined', 'getConfigWithKey'],
  deleteNeverminedConfig: ['nevermined', 'deleteConfig'],
  setNeverminedEnabled: ['nevermined', 'setEnabled'],
  isNeverminedEnabled: ['nevermined', 'isNeverminedEnabled'],
  logNeverminedPayment: ['nevermined', 'logPayment'],
  getNeverminedPaymentLog: ['nevermined', 'getPaymentLog'],
  getNeverminedSettlementFailures: ['nevermined', 'getSettlementFailures'],
  getNeverminedPaymentLogEntry: ['nevermined', 'getPaymentLogEntry'],
  // operatorQueue
  createOperatorQueueItem: ['operatorQueue', 'createItem'],
  getOperatorQueueItem: ['operatorQueue', 'getItem'],
  listOperatorQueueItems: ['operatorQueue', 'listItems'],
  respondToOperatorQueueItem: ['operatorQueue', 'respondToItem'],
  cancelOperatorQueueItem: ['operatorQueue', 'cancelItem'],
  markOperatorQueueAcknowledged: ['operatorQueue', 'markAcknowledged'],
  markOperatorQueueExpired: ['operatorQueue', 'markExpired'],
  getOperatorQueueStats: ['operatorQueue', 'getStats'],
  getOperatorQueueRespondedForAgent: ['operatorQueue', 'getRespondedItemsForAgent'],
  operatorQueueItemExists: ['operatorQueue', 'itemExists'],
  // eventSubscriptions
  createEventSubscription: ['eventSubscriptions', 'createSubscription'],
  getEventSubscription: ['eventSubscriptions', 'getSubscription'],
  listEventSubscriptions: ['eventSubscriptions', 'listSubscriptions'],
  updateEventSubscription: ['eventSubscriptions', 'updateSubscription'],
  deleteEventSubscription: ['eventSubscriptions', 'deleteSubscription'],
  deleteAgentEventSubscriptions: ['eventSubscriptions', 'deleteAgentSubscriptions'],
  findMatchingEventSubscriptions: ['eventSubscriptions', 'findMatchingSubscriptions'],
  createAgentEvent: ['eventSubscriptions', 'createEvent'],
  listAgentEvents: ['eventSubscriptions', 'listEvents'],
} as const satisfies Record<string, FacadeEntry>;

/** Facade methods that call static helpers of a repository (no database access). */
export const STATIC_FACADE_METHODS = {
  getSharedVolumeName: SharedFolderRepository.getSharedVolumeName,
  getSharedMountPath: SharedFolderRepository.getSharedMountPath,
  calculateWidgetStats: DashboardHistoryRepository.calculateWidgetStats,
} as const;

type Table = typeof FACADE_METHODS;
type Delegate<E> = E extends readonly [infer R extends RepositoryKey, infer M extends string]
  ? M extends keyof Repositories[R]
    ? Repositories[R][M]
    : never
  : never;

/** Typed view of the delegations installed on DatabaseFacade.prototype. */
export type FacadeMethods = { [K in keyof Table]: Delegate<Table[K]> } & typeof STATIC_FACADE_METHODS;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface DatabaseFacade extends FacadeMethods, Repositories {}

const REPOSITORIES = Symbol('trinity-db.repositories');

/**
 * Every facade method, plus the repositories as properties (`db.users`, `db.schedules`, ...), all on
 * one executor (the DataSource's, or a transaction's). Repositories are built on first use.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class DatabaseFacade {
  static readonly getSharedVolumeName = STATIC_FACADE_METHODS.getSharedVolumeName;
  static readonly getSharedMountPath = STATIC_FACADE_METHODS.getSharedMountPath;
  static readonly calculateWidgetStats = STATIC_FACADE_METHODS.calculateWidgetStats;

  private readonly [REPOSITORIES]: Partial<Record<RepositoryKey, unknown>> = {};

  protected constructor(
    /** The executor every repository of this facade runs on. */
    readonly executor: SqlExecutor,
    /** The options every repository of this facade is built with (clock, logger). */
    protected readonly repositoryOptions: RepositoryOptions,
  ) {}

  /** The repository under `key`, built on this facade's executor the first time it is asked for. */
  protected repository<K extends RepositoryKey>(key: K): Repositories[K] {
    const cache = this[REPOSITORIES];
    return (cache[key] ??= new REPOSITORY_CLASSES[key](this.executor, this.repositoryOptions)) as Repositories[K];
  }
}

for (const key of REPOSITORY_KEYS) {
  Object.defineProperty(DatabaseFacade.prototype, key, {
    configurable: true,
    get(this: DatabaseFacade) {
      return (this as unknown as { repository(k: RepositoryKey): unknown }).repository(key);
    },
  });
}

for (const [name, [repository, method]] of Object.entries(FACADE_METHODS) as [string, FacadeEntry][]) {
  Object.defineProperty(DatabaseFacade.prototype, name, { configurable: true, writable: true, value: delegation(name, repository, method) });
}
for (const [name, helper] of Object.entries(STATIC_FACADE_METHODS)) {
  Object.defineProperty(DatabaseFacade.prototype, name, { configurable: true, writable: true, value: helper });
}

/**
 * The facade method `name`: checks the arguments once (text the drivers would silently alter is
 * refused before anything runs) and calls the repository method. Named `name`, so stack traces read
 * `DatabaseManager.getUserByUsername`.
 */
function delegation(name: string, repository: RepositoryKey, method: string): (...args: unknown[]) => Promise<unknown> {
  const methods = {
    [name](this: Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>, ...args: unknown[]): Promise<unknown> {
      const malformed = malformedArgument(args);
      if (malformed) return Promise.reject(malformed);
      return this[repository][method](...args);
    },
  };
  return methods[name];
}

/**
 * Strings with unpaired UTF-16 surrogates cannot be stored as UTF-8: the drivers (and the credential
 * encryption, before them) would replace them with U+FFFD. Looked for in arguments and the values of
 * objects and arrays in them, three levels deep.
 */
function malformedArgument(args: unknown[]): InputValidationError | undefined {
  for (let i = 0; i < args.length; i++) {
    const field = findMalformedText(args[i], `argument ${i + 1}`, 0);
    if (field) return new InputValidationError(field, 'contains an unpaired UTF-16 surrogate, which cannot be stored as UTF-8 text');
  }
  return undefined;
}

function findMalformedText(value: unknown, field: string, depth: number): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : field;
  if (depth >= 3 || value === null || typeof value !== 'object' || value instanceof Date) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = findMalformedText(item, `${field}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}
