import { describe, expect, it } from 'vitest';
import { parseTheme, themeClassName, themeCookie } from '@/components/layout/theme';

describe('theme preference', () => {
  it('reads a stored choice and falls back to the system for anything else', () => {
    expect(parseTheme('dark')).toBe('dark');
    expect(parseTheme('light')).toBe('light');
    expect(parseTheme(undefined)).toBe('system');
    expect(parseTheme('"><script>')).toBe('system');
  });

  it('puts a class on <html> only for an explicit choice', () => {
    expect(themeClassName('dark')).toBe('dark');
    expect(themeClassName('system')).toBeUndefined();
    expect(themeCookie('light')).toMatch(/^fleetdeck-theme=light; Path=\/; Max-Age=\d+; SameSite=Lax$/);
  });
});
