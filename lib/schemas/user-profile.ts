/** A user's page, /settings/users/<id>: who they are and what they can access. */
import { z } from 'zod';
import { recordId } from '@/lib/schemas/limits';

export const userProfileInput = z.object({ id: recordId });
