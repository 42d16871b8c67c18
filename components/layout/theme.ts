/**
 * The colour theme. The choice is kept in a cookie the server reads, so the first paint
 * already has the right class on <html>: no flash of the wrong theme, and no inline
 * script (the CSP allows only scripts carrying the request's nonce).
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export const THEME_COOKIE = 'fleetdeck-theme';

export const THEME_LABELS: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function parseTheme(value: string | undefined): Theme {
  return (THEMES as readonly string[]).includes(value ?? '') ? (value as Theme) : 'system';
}

/** The class on <html>: none follows the system (`prefers-color-scheme`), see globals.css. */
export function themeClassName(theme: Theme): string | undefined {
  return theme === 'system' ? undefined : theme;
}

/** A year; the cookie is a display preference, not a credential. */
export function themeCookie(theme: Theme): string {
  return `${THEME_COOKIE}=${theme}; Path=/; Max-Age=31536000; SameSite=Lax`;
}
