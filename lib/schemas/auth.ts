import { z } from 'zod';
import { ROLES } from '@/lib/permissions';

export const email = z.string().trim().toLowerCase().pipe(z.email('Enter a valid email address'));

export const signInInput = z.object({
  email,
  password: z.string().min(1, 'Password is required').max(512),
});
export type SignInInput = z.infer<typeof signInInput>;

export const password = z
  .string()
  .min(12, 'Password must be at least 12 characters')
  .max(512, 'Password must be at most 512 characters');

export const createUserInput = z.object({
  email,
  name: z.string().trim().min(1, 'Name is required').max(100, 'Name must be at most 100 characters'),
  role: z.enum(ROLES, 'Choose admin or member'),
  password,
});
export type CreateUserInput = z.infer<typeof createUserInput>;

export const setUserRoleInput = z.object({ id: z.number().int().positive(), role: z.enum(ROLES) });
export const setUserActiveInput = z.object({ id: z.number().int().positive(), active: z.boolean() });

export const changePasswordInput = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password').max(512),
    newPassword: password,
  })
  .refine((input) => input.newPassword !== input.currentPassword, {
    path: ['newPassword'],
    message: 'Choose a password different from the current one',
  });
export type ChangePasswordInput = z.infer<typeof changePasswordInput>;
