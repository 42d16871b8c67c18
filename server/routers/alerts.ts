/**
 * Alerts: what fires, where it is sent, and the delivery log. Members read everything
 * (on-call needs it; channel URLs are shown only as hints); admins manage channels and
 * rules.
 */
import { channelIdInput, channelInput, ruleIdInput, ruleInput, setChannelEnabledInput, updateRuleInput } from '@/lib/schemas/alerts';
import { listAlerts, listDeliveries } from '@/server/services/alerts/alert-log';
import { alertChanges } from '@/server/services/alerts/changes';
import { createChannel, deleteChannel, listChannels, setChannelEnabled } from '@/server/services/alerts/channels';
import { createRule, deleteRule, listRules, updateRule } from '@/server/services/alerts/rules';
import { permissionProcedure, resourceProcedure, router, type Context } from '@/server/trpc';

const channel = (input: { id: number }) => ({ type: 'alertChannel' as const, id: input.id });
const rule = (input: { id: number }) => ({ type: 'alertRule' as const, id: input.id });

/** A rule changed: every cluster is judged against the rules as they now stand (not awaited: it may be a large fleet). */
function reevaluate(ctx: Context): void {
  void ctx.cp.alerts.evaluate();
}

const channelsRouter = router({
  list: permissionProcedure('alert.read').query(({ ctx }) => listChannels(ctx.cp.store)),
  create: permissionProcedure('alert.manage', { creates: 'alertChannel' })
    .input(channelInput)
    .mutation(({ ctx, input }) => createChannel(ctx.cp.store, ctx.cp.secrets, ctx.actor, input)),
  setEnabled: resourceProcedure('alert.manage', 'alertChannel', setChannelEnabledInput, channel).mutation(async ({ ctx, input }) => {
    await setChannelEnabled(ctx.cp.store, ctx.actor, input);
    return { ok: true as const };
  }),
  delete: resourceProcedure('alert.manage', 'alertChannel', channelIdInput, channel).mutation(async ({ ctx, input }) => {
    await deleteChannel(ctx.cp.store, ctx.actor, input.id);
    return { ok: true as const };
  }),
  /** Sends a test message now and answers what came of it; the delivery log keeps it too. */
  test: resourceProcedure('alert.manage', 'alertChannel', channelIdInput, channel).mutation(({ ctx, input }) => ctx.cp.alerts.sendTest(input.id)),
});

const rulesRouter = router({
  list: permissionProcedure('alert.read').query(({ ctx }) => listRules(ctx.cp.store)),
  create: permissionProcedure('alert.manage', { creates: 'alertRule' })
    .input(ruleInput)
    .mutation(async ({ ctx, input }) => {
      const created = await createRule(ctx.cp.store, ctx.actor, input);
      reevaluate(ctx);
      return created;
    }),
  update: resourceProcedure('alert.manage', 'alertRule', updateRuleInput, rule).mutation(async ({ ctx, input }) => {
    await updateRule(ctx.cp.store, ctx.actor, input);
    reevaluate(ctx);
    return { ok: true as const };
  }),
  delete: resourceProcedure('alert.manage', 'alertRule', ruleIdInput, rule).mutation(async ({ ctx, input }) => {
    await deleteRule(ctx.cp.store, ctx.actor, input.id);
    return { ok: true as const };
  }),
});

export const alertsRouter = router({
  /** Firing alerts, and the most recently resolved. */
  list: permissionProcedure('alert.read').query(({ ctx }) => listAlerts(ctx.cp.store, ctx.principal)),
  /** The latest notifications with their attempts and last error. */
  deliveries: permissionProcedure('alert.read').query(({ ctx }) => listDeliveries(ctx.cp.store, ctx.principal)),
  onChange: permissionProcedure('alert.read').subscription(({ ctx, signal }) => alertChanges(ctx.cp.alerts, signal)),
  channels: channelsRouter,
  rules: rulesRouter,
});
