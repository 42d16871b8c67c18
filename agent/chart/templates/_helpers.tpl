{{- define "fleetdeck-agent.name" -}}fleetdeck-agent{{- end -}}

{{- define "fleetdeck-agent.labels" -}}
app.kubernetes.io/name: fleetdeck-agent
app.kubernetes.io/part-of: fleetdeck
app.kubernetes.io/managed-by: fleetdeck
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
fleetdeck.io/cluster: {{ required "clusterName is required" .Values.clusterName | quote }}
{{- end -}}

{{- define "fleetdeck-agent.selectorLabels" -}}
app.kubernetes.io/name: fleetdeck-agent
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
