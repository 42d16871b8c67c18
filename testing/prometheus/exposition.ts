/**
 * Samples as exporters expose them, and as Prometheus stores them once scraped: the text
 * exposition format a scrape reads, the target labels Prometheus adds (with its
 * `exported_` renaming of clashes when `honor_labels` is false), and the OpenMetrics
 * file `promtool tsdb create-blocks-from openmetrics` backfills from.
 */

export interface ExporterSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** How a metric family is introduced: the exporters' own HELP text and TYPE. */
export interface MetricFamily {
  help: string;
  type: 'gauge' | 'counter';
}

/** One scrape target: where it is served, the labels the scrape config gives it, and what it exposes at a time. */
export interface FixtureTarget {
  job: string;
  /** The path the fixture server serves this target on. */
  path: string;
  /** Target labels from the scrape config (`instance` among them), as a service discovery would give them. */
  targetLabels: Record<string, string>;
  /** kube-state-metrics is scraped with `honor_labels: true`; exporters of per-node data are not. */
  honorLabels: boolean;
  /** What the target exposes at unix time `t` (seconds). */
  samples(t: number): ExporterSample[];
}

export interface PrometheusFixtures {
  targets: FixtureTarget[];
  families: Readonly<Record<string, MetricFamily>>;
  /** History to backfill: for each span, samples every `intervalSeconds` from `fromSecondsAgo` to `toSecondsAgo`. */
  /** Recording rules the server evaluates (every second): record name → expression. */
  recordingRules?: Readonly<Record<string, string>>;
  history?: ReadonlyArray<{ fromSecondsAgo: number; toSecondsAgo: number; intervalSeconds: number }>;
}

const escapeValue = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function labelText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapeValue(value)}"`);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

/** The Prometheus text exposition format (0.0.4), grouped by family with HELP and TYPE, as exporters serve it. */
export function exposition(samples: ExporterSample[], families: Readonly<Record<string, MetricFamily>>): string {
  const byName = new Map<string, ExporterSample[]>();
  for (const sample of samples) {
    const group = byName.get(sample.name) ?? [];
    group.push(sample);
    byName.set(sample.name, group);
  }
  const lines: string[] = [];
  for (const [name, group] of byName) {
    const family = families[name];
    if (family) lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
    // Exporters leave out labels they have no value for (an unallocated GPU has no pod).
    for (const sample of group) lines.push(`${name}${labelText(withoutEmpty(sample.labels))} ${sample.value}`);
  }
  return `${lines.join('\n')}\n`;
}

function withoutEmpty(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([, value]) => value !== ''));
}

/**
 * The labels Prometheus stores for a scraped sample: the exporter's, plus the target's
 * (`job`, `instance`, …). A clash keeps the exporter's value with `honor_labels`, else the
 * target's, with the exporter's renamed `exported_<name>`.
 */
export function storedLabels(target: FixtureTarget, sample: ExporterSample): Record<string, string> {
  const exposed = withoutEmpty(sample.labels);
  const targetLabels = { job: target.job, ...target.targetLabels };
  const stored: Record<string, string> = { ...exposed };
  for (const [key, value] of Object.entries(targetLabels)) {
    if (!(key in exposed)) stored[key] = value;
    else if (!target.honorLabels) {
      delete stored[key];
      stored[`exported_${key}`] = exposed[key] as string;
      stored[key] = value;
    }
  }
  return stored;
}

/**
 * The OpenMetrics text promtool backfills from: every target's samples at each time,
 * grouped by family then series (timestamps in seconds, increasing), ending `# EOF`.
 */
export function openMetricsHistory(fixtures: PrometheusFixtures, times: number[]): string {
  const families = new Map<string, Map<string, string[]>>();
  for (const t of times) {
    for (const target of fixtures.targets) {
      for (const sample of target.samples(t)) {
        const series = `${sample.name}${labelText(storedLabels(target, sample))}`;
        const family = families.get(sample.name) ?? new Map<string, string[]>();
        families.set(sample.name, family);
        const lines = family.get(series) ?? [];
        lines.push(`${series} ${sample.value} ${t}`);
        family.set(series, lines);
      }
    }
  }
  const lines: string[] = [];
  for (const [name, seriesLines] of families) {
    const type = fixtures.families[name]?.type === 'counter' ? 'counter' : 'gauge';
    // OpenMetrics names a counter family without its `_total` suffix.
    lines.push(`# TYPE ${type === 'counter' ? name.replace(/_total$/, '') : name} ${type}`);
    for (const samples of seriesLines.values()) lines.push(...samples);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
