/**
 * Contrast arithmetic from WCAG 2.x (relative luminance and contrast ratio), so an
 * environment of any colour gets chip text one can read, and a colour that vanishes
 * against the page (a #ffffff chip on a white table) is flagged while it is chosen.
 */

/** `#rrggbb` (or `#rgb`) → [r, g, b] in 0–255, or null when it is not a hex colour. */
export function parseHexColor(color: string): [number, number, number] | null {
  const digits = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim())?.[1];
  if (!digits) return null;
  const hex = digits.length === 3 ? [...digits].map((digit) => digit + digit).join('') : digits;
  return [0, 2, 4].map((at) => parseInt(hex.slice(at, at + 2), 16)) as [number, number, number];
}

/** WCAG relative luminance of an sRGB colour, 0 (black) to 1 (white). */
export function relativeLuminance([r, g, b]: readonly [number, number, number]): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG contrast ratio of two hex colours, 1 to 21; 1 when either is not a hex colour. */
export function contrastRatio(a: string, b: string): number {
  const [rgbA, rgbB] = [parseHexColor(a), parseHexColor(b)];
  if (!rgbA || !rgbB) return 1;
  const [la, lb] = [relativeLuminance(rgbA), relativeLuminance(rgbB)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

export const BLACK_TEXT = '#000000';
export const WHITE_TEXT = '#ffffff';

/** Black or white, whichever reads better on `background`; black for what is not a colour. */
export function readableTextColor(background: string): typeof BLACK_TEXT | typeof WHITE_TEXT {
  if (!parseHexColor(background)) return BLACK_TEXT;
  return contrastRatio(background, WHITE_TEXT) > contrastRatio(background, BLACK_TEXT) ? WHITE_TEXT : BLACK_TEXT;
}

/**
 * WCAG 1.4.11 asks 3:1 for what one must see to use a page (a chip's shape is how an
 * environment is recognised at a glance).
 */
export const MIN_NON_TEXT_CONTRAST = 3;

/** The backgrounds chips sit on: the page and the cards/tables, in the light and the dark theme. */
export const PAGE_BACKGROUNDS = [
  { theme: 'light', surface: 'page', color: '#fafafa' },
  { theme: 'light', surface: 'table', color: '#ffffff' },
  { theme: 'dark', surface: 'page', color: '#09090b' },
  { theme: 'dark', surface: 'table', color: '#18181b' },
] as const;

export type Theme = (typeof PAGE_BACKGROUNDS)[number]['theme'];

/** The themes on whose backgrounds `color` falls under 3:1, with the worst ratio found. */
export function lowContrastThemes(color: string): { theme: Theme; ratio: number }[] {
  if (!parseHexColor(color)) return [];
  const worst = new Map<Theme, number>();
  for (const background of PAGE_BACKGROUNDS) {
    const ratio = contrastRatio(color, background.color);
    if (ratio < MIN_NON_TEXT_CONTRAST) worst.set(background.theme, Math.min(ratio, worst.get(background.theme) ?? Infinity));
  }
  return [...worst].map(([theme, ratio]) => ({ theme, ratio }));
}
