{{/*
Chart name, truncated to the 63 characters a DNS label allows.
*/}}
{{- define "job-offers.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: <release>-<chart> (or the release name when it already contains the
chart name), truncated to 63 characters.
*/}}
{{- define "job-offers.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "job-offers.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "job-offers.labels" -}}
helm.sh/chart: {{ include "job-offers.chart" . }}
{{ include "job-offers.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: job-offers
{{- end }}

{{/*
Selector labels of the API pods (immutable once deployed: keep them stable).
*/}}
{{- define "job-offers.selectorLabels" -}}
app.kubernetes.io/name: {{ include "job-offers.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: api
{{- end }}

{{/*
Labels of the bundled PostgreSQL.
*/}}
{{- define "job-offers.postgresql.selectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-postgresql" (include "job-offers.name" . | trunc 52 | trimSuffix "-") }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: database
{{- end }}

{{- define "job-offers.postgresql.labels" -}}
helm.sh/chart: {{ include "job-offers.chart" . }}
{{ include "job-offers.postgresql.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.postgresql.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: job-offers
{{- end }}

{{- define "job-offers.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "job-offers.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The API image reference: repository@digest, or repository:tag (tag defaults
to the chart's appVersion).
*/}}
{{- define "job-offers.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}
{{- end }}

{{/*
Name of the Secret the API reads with envFrom: the existing one, or the chart's.
*/}}
{{- define "job-offers.secretName" -}}
{{- default (include "job-offers.fullname" .) .Values.existingSecret }}
{{- end }}

{{/*
Name of the bundled PostgreSQL's StatefulSet/Service/Secret. At most 52
characters: a StatefulSet's controller-revision-hash label is its name plus 11
characters and must fit in 63.
*/}}
{{- define "job-offers.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "job-offers.fullname" . | trunc 41 | trimSuffix "-") }}
{{- end }}

{{- define "job-offers.postgresql.secretName" -}}
{{- default (include "job-offers.postgresql.fullname" .) .Values.postgresql.auth.existingSecret }}
{{- end }}

{{/*
Configuration checks, included by the Deployment so that a bad combination
fails the render with an explanation instead of producing a broken release.
*/}}
{{- define "job-offers.validateValues" -}}
{{- if and (not .Values.postgresql.enabled) (not .Values.externalDatabase.url) (not .Values.externalDatabase.existingSecret) (not .Values.existingSecret) }}
{{- fail "job-offers: no database configured. Set postgresql.enabled=true, externalDatabase.url, externalDatabase.existingSecret, or existingSecret (with a DATABASE_URL key)." }}
{{- end }}
{{- if and .Values.existingSecret .Values.externalDatabase.url (not .Values.postgresql.enabled) (not .Values.externalDatabase.existingSecret) }}
{{- fail "job-offers: externalDatabase.url cannot be combined with existingSecret (the chart creates no Secret to hold it). Put DATABASE_URL into the existing Secret, or use externalDatabase.existingSecret." }}
{{- end }}
{{- if and .Values.secrets.jwtSecret (lt (len .Values.secrets.jwtSecret) 32) }}
{{- fail "job-offers: secrets.jwtSecret must be at least 32 bytes long." }}
{{- end }}
{{- end }}

{{/*
The DATABASE_URL environment entry (plus what it needs), shared by the API
container and the wait-for-database init container:
  - bundled PostgreSQL: assembled in the pod from the password Secret with
    Kubernetes' $(VAR) expansion, so the password is stored only once;
  - externalDatabase.existingSecret: read from that Secret;
  - otherwise: the DATABASE_URL key of the application Secret (the chart's,
    holding externalDatabase.url, or existingSecret).
*/}}
{{- define "job-offers.databaseEnv" -}}
{{- if .Values.postgresql.enabled }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "job-offers.postgresql.secretName" . }}
      key: {{ .Values.postgresql.auth.secretPasswordKey }}
- name: DATABASE_URL
  value: {{ printf "postgres://%s:$(DATABASE_PASSWORD)@%s:5432/%s" .Values.postgresql.auth.username (include "job-offers.postgresql.fullname" .) .Values.postgresql.auth.database | quote }}
{{- else if .Values.externalDatabase.existingSecret }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalDatabase.existingSecret }}
      key: {{ .Values.externalDatabase.existingSecretKey }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "job-offers.secretName" . }}
      key: DATABASE_URL
{{- end }}
{{- end }}

{{/*
A value from an existing Secret in the cluster (decoded), or "" (always ""
when rendering offline, e.g. helm template).
Usage: include "job-offers.lookupSecretValue" (list $namespace $secretName $key)
*/}}
{{- define "job-offers.lookupSecretValue" -}}
{{- $ns := index . 0 }}
{{- $name := index . 1 }}
{{- $key := index . 2 }}
{{- $secret := lookup "v1" "Secret" $ns $name }}
{{- if $secret }}
{{- $data := get $secret "data" | default dict }}
{{- if hasKey $data $key }}
{{- index $data $key | b64dec }}
{{- end }}
{{- end }}
{{- end }}

{{/*
PromQL label matchers (without braces) selecting this release's series in the alert rules:
metrics.prometheusRule.selector, or the labels Prometheus gives the ServiceMonitor's targets.
The Prometheus Operator sets `job` to the name of the Service it discovered the endpoints
through (the ServiceMonitor sets no jobLabel) and `namespace` to the Service's namespace.
*/}}
{{- define "job-offers.metricsSelector" -}}
{{- .Values.metrics.prometheusRule.selector | default (printf "job=%q,namespace=%q" (include "job-offers.fullname" .) .Release.Namespace) }}
{{- end }}
