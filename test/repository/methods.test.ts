/**
 * Every public method of every Python Operations class (test/fixtures/reference/methods.json → operations) exists on
 * its repository under the camelCase name, taking at least the Python positional parameters.
 */
import { REPOSITORY_CLASSES } from '../../src/repository';
import { readFixtureJson } from '../support/fixtures';

interface SpecClass {
  module: string;
  methods: { py: string; ts: string; params: string[] }[];
}
const spec: { operations: Record<string, SpecClass> } = readFixtureJson('reference', 'methods.json');

/** Python class -> repository property; the agent settings mixins are methods of AgentRepository, as in Python. */
const REPOSITORY_OF: Record<string, keyof typeof REPOSITORY_CLASSES> = {
  UserOperations: 'users', AgentOperations: 'agents', SharingMixin: 'agents', ResourcesMixin: 'agents', SecurityMixin: 'agents',
  AutonomyMixin: 'agents', AvatarMixin: 'agents', MetadataMixin: 'agents', McpKeyOperations: 'mcpKeys', ScheduleOperations: 'schedules',
  ChatOperations: 'chat', ActivityOperations: 'activities', PermissionOperations: 'permissions', SharedFolderOperations: 'sharedFolders',
  SettingsOperations: 'settings', EmailAuthOperations: 'emailAuth', PublicLinkOperations: 'publicLinks', SkillsOperations: 'skills',
  PublicChatOperations: 'publicChat', TagOperations: 'tags', SystemViewOperations: 'systemViews', NotificationOperations: 'notifications',
  SubscriptionOperations: 'subscriptions', MonitoringOperations: 'monitoring', DashboardHistoryOperations: 'dashboardHistory',
  SlackOperations: 'slack', SlackChannelOperations: 'slackChannels', NeverminedOperations: 'nevermined', OperatorQueueOperations: 'operatorQueue',
  EventSubscriptionOperations: 'eventSubscriptions', TelegramChannelOperations: 'telegramChannels',
};

describe('repositories cover the Operations classes method for method', () => {
  it('maps every Python class to a repository', () => {
    expect(Object.keys(spec.operations).sort()).toEqual(Object.keys(REPOSITORY_OF).sort());
  });

  it.each(Object.entries(spec.operations))('%s', (pythonClass, { methods }) => {
    const repository = REPOSITORY_CLASSES[REPOSITORY_OF[pythonClass]] as unknown as { prototype: Record<string, unknown> } & Record<string, unknown>;
    const missing = methods.filter((m) => typeof repository.prototype[m.ts] !== 'function' && typeof repository[m.ts] !== 'function').map((m) => m.ts);
    expect(missing).toEqual([]);
  });

  it('counts 311 methods in all', () => {
    expect(Object.values(spec.operations).reduce((n, c) => n + c.methods.length, 0)).toBe(311);
  });
});
