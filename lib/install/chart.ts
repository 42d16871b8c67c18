/**
 * The agent's helm chart, generated from the very objects `renderAgentManifests` renders
 * (`agentManifestObjects`), so the chart the control plane serves and the manifests the
 * attach page shows install the same thing. Each per-install value becomes one
 * `{{ .Values.x | quote }}` (or `{{ .Release.Namespace | quote }}`); the templates use no
 * other template construct.
 *
 * The chart leaves out the Namespace object: the install creates the namespace before
 * the chart (the token Secret lives there), and helm's `--create-namespace` covers a
 * bare `helm install`.
 *
 * Pure: the server packages these files (server/http/agent-chart.ts).
 */
import { stringify } from 'yaml';
import { AGENT_VERSION } from '@/lib/agent-version';
import {
  AGENT_NAME,
  agentManifestObjects,
  DEFAULT_AGENT_IMAGE,
  DEFAULT_TOKEN_SECRET_NAME,
  toYamlDocuments,
  type AgentManifestValues,
} from '@/lib/install/manifests';

export const AGENT_CHART_NAME = AGENT_NAME;
/** The chart is versioned with the agent: one chart version per agent release. */
export const AGENT_CHART_VERSION = AGENT_VERSION;
export const AGENT_CHART_ARCHIVE = `${AGENT_CHART_NAME}-${AGENT_CHART_VERSION}.tgz`;
export const AGENT_CHART_DESCRIPTION =
  "The Fleetdeck agent. Dials out to the Fleetdeck control plane and streams this cluster's state; needs no inbound endpoint.";

/** Placeholder → template expression. The placeholders are plain YAML words, so they are emitted unquoted and replaced whole. */
const PLACEHOLDERS: Record<keyof AgentManifestValues, { word: string; expression: string }> = {
  clusterName: { word: 'FLEETDECKVALUECLUSTERNAME', expression: '{{ required "clusterName is required" .Values.clusterName | quote }}' },
  controlPlaneUrl: {
    word: 'FLEETDECKVALUECONTROLPLANEURL',
    expression: '{{ required "controlPlaneURL is required" .Values.controlPlaneURL | quote }}',
  },
  tenantName: { word: 'FLEETDECKVALUETENANTNAME', expression: '{{ .Values.tenantName | quote }}' },
  tokenSecretName: {
    word: 'FLEETDECKVALUETOKENSECRET',
    expression: '{{ required "clusterTokenSecret is required" .Values.clusterTokenSecret | quote }}',
  },
  namespace: { word: 'FLEETDECKVALUENAMESPACE', expression: '{{ .Release.Namespace | quote }}' },
  image: { word: 'FLEETDECKVALUEIMAGE', expression: '{{ .Values.image | quote }}' },
};

/** The chart's values and their defaults; the install command sets the first four. */
export const AGENT_CHART_VALUES = {
  controlPlaneURL: '',
  clusterName: '',
  tenantName: '',
  clusterTokenSecret: DEFAULT_TOKEN_SECRET_NAME,
  image: DEFAULT_AGENT_IMAGE,
} as const;

function template(): string {
  const values = Object.fromEntries(Object.entries(PLACEHOLDERS).map(([key, p]) => [key, p.word])) as AgentManifestValues;
  const objects = agentManifestObjects(values).filter((object) => (object as { kind: string }).kind !== 'Namespace');
  let text = toYamlDocuments(objects);
  for (const { word, expression } of Object.values(PLACEHOLDERS)) {
    if (!new RegExp(`(?<![\\w-])${word}(?![\\w-])`).test(text)) throw new Error(`chart template: ${word} was not emitted as a whole word`);
    text = text.replace(new RegExp(`(?<![\\w-])${word}(?![\\w-])`, 'g'), expression);
  }
  return (
    '# Generated from lib/install/manifests.ts by lib/install/chart.ts: the same objects the\n' +
    '# attach page renders as plain manifests (less the Namespace, created before the chart).\n' +
    text
  );
}

export interface ChartFile {
  /** Path inside the chart directory. */
  path: string;
  content: string;
}

/** The chart's files, as `helm package` would put them under `fleetdeck-agent/`. */
export function agentChartFiles(): ChartFile[] {
  const chartYaml = stringify({
    apiVersion: 'v2',
    name: AGENT_CHART_NAME,
    description: AGENT_CHART_DESCRIPTION,
    type: 'application',
    version: AGENT_CHART_VERSION,
    appVersion: AGENT_VERSION,
    kubeVersion: '>=1.28.0-0',
    keywords: ['fleetdeck', 'kubernetes', 'gpu', 'fleet'],
  });
  const valuesYaml =
    '# Base URL of the Fleetdeck control plane the agent dials (https://… in production).\n' +
    '# clusterName: this cluster\'s name in Fleetdeck; tenantName: shown in annotations only.\n' +
    '# clusterTokenSecret: the Secret in the release namespace holding the cluster token under key "token".\n' +
    '# Create it first, from stdin (never on a command line):\n' +
    '#   kubectl -n <namespace> create secret generic fleetdeck-agent-token --from-file=token=/dev/stdin\n' +
    '# The token itself is never a chart value: values are stored in the release and shown by `helm get values`.\n' +
    stringify(AGENT_CHART_VALUES);
  return [
    { path: 'Chart.yaml', content: chartYaml },
    { path: 'values.yaml', content: valuesYaml },
    { path: 'templates/agent.yaml', content: template() },
  ];
}
