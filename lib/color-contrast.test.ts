import { describe, expect, it } from 'vitest';
import {
  BLACK_TEXT,
  contrastRatio,
  lowContrastThemes,
  parseHexColor,
  readableTextColor,
  WHITE_TEXT,
} from '@/lib/color-contrast';

describe('contrastRatio', () => {
  it('is 21 for black on white and 1 for a colour on itself', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#22c55e', '#22c55e')).toBe(1);
  });

  it('matches the WCAG reference value for #767676 on white (4.54)', () => {
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });

  it('reads short hex and refuses what is not a colour', () => {
    expect(parseHexColor('#fff')).toEqual([255, 255, 255]);
    expect(parseHexColor('red')).toBeNull();
    expect(contrastRatio('red', '#ffffff')).toBe(1);
  });
});

describe('readableTextColor', () => {
  it.each([
    ['#ffffff', BLACK_TEXT],
    ['#000000', WHITE_TEXT],
    ['#ffff00', BLACK_TEXT], // yellow
    ['#facc15', BLACK_TEXT], // Tailwind yellow-400
    ['#808080', BLACK_TEXT], // mid grey: black reads 5.3:1, white 3.9:1
    ['#777777', BLACK_TEXT], // just past the crossing point
    ['#757575', WHITE_TEXT], // just before it
    ['#555555', WHITE_TEXT],
    ['#ef4444', BLACK_TEXT], // the default prod red: black 5.9:1, white 3.8:1
    ['#1d4ed8', WHITE_TEXT],
    ['#22c55e', BLACK_TEXT],
  ])('on %s uses %s', (background, text) => {
    expect(readableTextColor(background)).toBe(text);
  });

  it('always picks the text with at least 4.5:1 when one of the two has it', () => {
    for (let grey = 0; grey <= 255; grey += 5) {
      const hex = '#' + grey.toString(16).padStart(2, '0').repeat(3);
      const text = readableTextColor(hex);
      const other = text === BLACK_TEXT ? WHITE_TEXT : BLACK_TEXT;
      expect(contrastRatio(hex, text)).toBeGreaterThanOrEqual(contrastRatio(hex, other));
      expect(contrastRatio(hex, text)).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe('lowContrastThemes', () => {
  it('flags white on the light theme and black on the dark theme', () => {
    expect(lowContrastThemes('#ffffff').map((t) => t.theme)).toEqual(['light']);
    expect(lowContrastThemes('#000000').map((t) => t.theme)).toEqual(['dark']);
  });

  it('flags yellow on the light theme only', () => {
    expect(lowContrastThemes('#ffff00').map((t) => t.theme)).toEqual(['light']);
  });

  it('passes colours that show on both themes', () => {
    expect(lowContrastThemes('#ef4444')).toEqual([]);
    expect(lowContrastThemes('#6366f1')).toEqual([]);
  });

  it('reports the worst ratio found', () => {
    expect(lowContrastThemes('#ffffff')[0]?.ratio).toBeCloseTo(1, 5);
  });
});
