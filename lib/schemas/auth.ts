import { z } from 'zod';
import { ROLES } from '@/lib/permissions';
import { MAX_DISPLAY_NAME, MAX_EMAIL, MAX_PASSWORD, recordId, withoutNul } from '@/lib/schemas/limits';

export const email = z
  .string()
  .trim()
  .max(MAX_EMAIL, `Email must be at most ${MAX_EMAIL} characters`)
  .toLowerCase()
  .pipe(z.email('Enter a valid email address'));

export const signInInput = z.object({
  email,
  password: z.string().min(1, 'Password is required').max(MAX_PASSWORD, `Password must be at most ${MAX_PASSWORD} characters`),
});
export type SignInInput = z.infer<typeof signInInput>;

export const password = z
  .string()
  .min(12, 'Password must be at least 12 characters')
  .max(MAX_PASSWORD, `Password must be at most ${MAX_PASSWORD} characters`);

export const createUserInput = z.object({
  email,
  name: withoutNul(z.string().trim().min(1, 'Name is required').max(MAX_DISPLAY_NAME, `Name must be at most ${MAX_DISPLAY_NAME} characters`)),
  role: z.enum(ROLES, 'Choose admin or member'),
  password,
});
export type CreateUserInput = z.infer<typeof createUserInput>;

export const setUserRoleInput = z.object({ id: recordId, role: z.enum(ROLES) });
export const setUserActiveInput = z.object({ id: recordId, active: z.boolean() });

export const changePasswordInput = z
  .object({
    currentPassword: z
      .string()
      .min(1, 'Enter your current password')
      .max(MAX_PASSWORD, `Password must be at most ${MAX_PASSWORD} characters`),
    newPassword: password,
  })
  .refine((input) => input.newPassword !== input.currentPassword, {
    path: ['newPassword'],
    message: 'Choose a password different from the current one',
  });
export type ChangePasswordInput = z.infer<typeof changePasswordInput>;
