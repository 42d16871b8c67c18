'use client';

import { useState } from 'react';
import { parseTheme, type Theme, THEME_LABELS, THEMES, themeClassName, themeCookie } from '@/components/layout/theme';

/**
 * Light, dark or the system's choice; applied at once and remembered for the next visit.
 * `initial` is the choice the server read from the cookie.
 */
export function ThemeToggle({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  function choose(next: Theme) {
    setTheme(next);
    document.cookie = themeCookie(next);
    const root = document.documentElement;
    root.classList.remove('light', 'dark');
    const className = themeClassName(next);
    if (className) root.classList.add(className);
  }
  return (
    <label className="flex shrink-0 items-center gap-1 text-xs text-zinc-600 dark:text-zinc-400">
      <span className="sr-only">Theme</span>
      <span aria-hidden>◐</span>
      <select
        aria-label="Theme"
        className="w-[5.5rem] rounded-md border border-zinc-300 bg-white py-1 pl-1 text-xs dark:border-zinc-700 dark:bg-zinc-900"
        value={theme}
        onChange={(event) => choose(parseTheme(event.target.value))}
      >
        {THEMES.map((option) => (
          <option key={option} value={option}>
            {THEME_LABELS[option]}
          </option>
        ))}
      </select>
    </label>
  );
}
