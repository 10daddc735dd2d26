{{/* Chart name, overridable. */}}
{{- define "myragdb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name prefix of every object: <release>-<chart>, or the release name when it already contains the chart name. */}}
{{- define "myragdb.fullname" -}}
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

{{- define "myragdb.operatorName" -}}
{{- printf "%s-operator" (include "myragdb.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: never change them, Deployment selectors are immutable. */}}
{{- define "myragdb.selectorLabels" -}}
app.kubernetes.io/name: {{ include "myragdb.name" . }}-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels every chart object carries besides name/instance/component. */}}
{{- define "myragdb.commonLabels" -}}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: myragdb
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "myragdb.labels" -}}
{{ include "myragdb.selectorLabels" . }}
app.kubernetes.io/component: operator
{{ include "myragdb.commonLabels" . }}
{{- end }}

{{- define "myragdb.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "myragdb.operatorName" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "myragdb.image" -}}
{{- printf "%s/%s:%s" .Values.image.registry .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The namespace the operator watches: empty (all) for cluster scope unless set; always one for namespace scope. */}}
{{- define "myragdb.watchNamespace" -}}
{{- if .Values.watchNamespace }}
{{- .Values.watchNamespace }}
{{- else if eq .Values.rbac.scope "namespace" }}
{{- .Release.Namespace }}
{{- end }}
{{- end }}

{{/* URL `helm test` checks: tests.gatewayUrl, else the chart's instance gateway Service (see operator/src/specs). */}}
{{- define "myragdb.testGatewayUrl" -}}
{{- if .Values.tests.gatewayUrl }}
{{- .Values.tests.gatewayUrl | trimSuffix "/" }}
{{- else if .Values.instance.enabled }}
{{- printf "http://%s-search-gateway.%s.svc:3002" .Values.instance.name .Release.Namespace }}
{{- end }}
{{- end }}
