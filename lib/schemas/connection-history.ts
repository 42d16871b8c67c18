/** The cluster page's connection history: one cluster, a page of its events. */
import { z } from 'zod';
import { clusterRef } from './cluster';
import { recordId } from './limits';

/** Events a page of the connection history holds at most. */
export const MAX_HISTORY_PAGE = 200;

export const connectionHistoryInput = clusterRef.extend({
  /** Events on this page, newest first. */
  limit: z.number().int().min(1).max(MAX_HISTORY_PAGE).default(50),
  /** The page after: events recorded before the event with this id. */
  before: recordId.optional(),
});
export type ConnectionHistoryInput = z.input<typeof connectionHistoryInput>;
