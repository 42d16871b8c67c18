/**
 * Numbers as a chart's reader needs them: with their unit, on the axis, in the tooltip
 * and in the table alike, so a value never appears bare. Times are UTC, as everywhere
 * on the cluster page (lib/format-time).
 */
import type { MetricUnit } from '@/server/metrics/types';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
const SI_PREFIXES = ['', 'k', 'M', 'G', 'T'] as const;

/** What each unit is called beside the axis (and in the table's header). */
export const UNIT_LABELS: Readonly<Record<MetricUnit, string>> = {
  percent: '%',
  ratio: '%',
  bytes: 'bytes',
  count: 'count',
  celsius: '°C',
  watts: 'W',
  joules: 'J',
  cores: 'cores',
};

/** Up to `digits` decimals, trailing zeros dropped: 12.5, 12, 0.25. */
function trimmed(value: number, digits: number): string {
  return Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Decimals that keep about three significant figures without printing noise. */
function digitsFor(value: number): number {
  const magnitude = Math.abs(value);
  if (magnitude >= 100 || magnitude === 0) return 0;
  if (magnitude >= 10) return 1;
  return 2;
}

function scaled(value: number, base: number, units: readonly string[], separator = ' '): string {
  let unit = 0;
  let scaledValue = value;
  while (Math.abs(scaledValue) >= base && unit < units.length - 1) {
    scaledValue /= base;
    unit++;
  }
  return `${trimmed(scaledValue, digitsFor(scaledValue))}${separator}${units[unit]}`;
}

/**
 * One value with its unit: "42.5 %", "12 GiB", "71 °C", "1.2 kW", "3.4 MJ", "12 cores".
 * `percent` values are 0–100 (DCGM, utilisation in %), `ratio` values 0–1 shown as %.
 * null (a gap, NaN) is "—", never 0.
 */
export function formatValue(value: number | null, unit: MetricUnit): string {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'percent':
      return `${trimmed(value, digitsFor(value))} %`;
    case 'ratio':
      return `${trimmed(value * 100, digitsFor(value * 100))} %`;
    case 'bytes':
      return scaled(value, 1024, BYTE_UNITS);
    case 'celsius':
      return `${trimmed(value, 1)} °C`;
    case 'watts':
      return scaled(value, 1000, SI_PREFIXES.map((prefix) => `${prefix}W`));
    case 'joules':
      return scaled(value, 1000, SI_PREFIXES.map((prefix) => `${prefix}J`));
    case 'cores':
      return `${trimmed(value, digitsFor(value))} ${value === 1 ? 'core' : 'cores'}`;
    case 'count':
      return Math.abs(value) >= 10_000 ? scaled(value, 1000, SI_PREFIXES, '') : trimmed(value, digitsFor(value));
  }
}

/** The y-axis domain: from 0, and percentages up to 100 % at least (more only if a value goes past it). */
export function valueDomain(unit: MetricUnit): [number, (dataMax: number) => number] {
  const floor = unit === 'percent' ? 100 : unit === 'ratio' ? 1 : 0;
  return [0, (dataMax) => Math.max(floor, Number.isFinite(dataMax) ? dataMax : 0)];
}

const twoDigits = (value: number): string => String(value).padStart(2, '0');

/** A time-axis tick for a range `rangeSeconds` long: "14:05" within a day, "23 Nov 14:00" beyond. */
export function formatTimeTick(unixSeconds: number, rangeSeconds: number): string {
  const at = new Date(unixSeconds * 1000);
  const clock = `${twoDigits(at.getUTCHours())}:${twoDigits(at.getUTCMinutes())}`;
  if (rangeSeconds <= 24 * 3_600) return clock;
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${clock}`;
}

/** A sample's moment in the tooltip and the table: "23 Nov 2026, 14:05:30 UTC". */
export function formatSampleTime(unixSeconds: number): string {
  const at = new Date(unixSeconds * 1000);
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}, ${twoDigits(at.getUTCHours())}:${twoDigits(at.getUTCMinutes())}:${twoDigits(at.getUTCSeconds())} UTC`;
}
