import { describe, expect, it } from 'vitest';
import {
  dismissedFor,
  dismissField,
  NOTHING_DISMISSED,
  visibleFieldErrors,
  withoutField,
} from '@/components/ui/schema-form-state';

const none = new Set<string>();

describe('visibleFieldErrors', () => {
  it('shows one message per field, the first, not two run together', () => {
    const client = { name: ['Name is required', 'Use lower-case letters, digits and "-", starting with a letter'] };
    expect(visibleFieldErrors(client, {}, none)).toEqual({ name: ['Name is required'] });
  });

  it('prefers the browser’s check to the server’s answer on the same field', () => {
    expect(visibleFieldErrors({ email: ['Enter a valid email address'] }, { email: ['already exists'] }, none)).toEqual({
      email: ['Enter a valid email address'],
    });
  });

  it('shows server messages beside their fields until the field is edited', () => {
    const server = { email: ['A user with email a@b.co already exists'], name: ['Taken'] };
    expect(visibleFieldErrors({}, server, none)).toEqual({ email: ['A user with email a@b.co already exists'], name: ['Taken'] });
    expect(visibleFieldErrors({}, server, new Set(['email']))).toEqual({ name: ['Taken'] });
  });
});

describe('dismissing server messages', () => {
  const firstFailure = new Error('first');
  const secondFailure = new Error('second');

  it('remembers the edited fields for the failure they answered', () => {
    const dismissed = dismissField(NOTHING_DISMISSED, firstFailure, 'currentPassword');
    expect([...dismissedFor(dismissed, firstFailure)]).toEqual(['currentPassword']);
  });

  it('shows every message of a new failure again', () => {
    const dismissed = dismissField(NOTHING_DISMISSED, firstFailure, 'currentPassword');
    expect(dismissedFor(dismissed, secondFailure).size).toBe(0);
    expect([...dismissedFor(dismissField(dismissed, secondFailure, 'newPassword'), secondFailure)]).toEqual(['newPassword']);
  });
});

describe('withoutField', () => {
  it('drops one field and leaves the others', () => {
    expect(withoutField({ a: ['x'], b: ['y'] }, 'a')).toEqual({ b: ['y'] });
    const errors = { b: ['y'] };
    expect(withoutField(errors, 'a')).toBe(errors);
  });
});
