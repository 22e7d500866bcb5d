{{- define "modelgateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "modelgateway.fullname" -}}
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

{{- define "modelgateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "modelgateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "modelgateway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "modelgateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "modelgateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "modelgateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Whole seconds as a .NET TimeSpan, e.g. 90 -> "00:01:30". */}}
{{- define "modelgateway.timespan" -}}
{{- $s := int . -}}
{{- printf "%02d:%02d:%02d" (div $s 3600) (div (mod $s 3600) 60) (mod $s 60) -}}
{{- end }}

{{/* Where the Redis password file of redis.passwordSecret is mounted, and the file in it. */}}
{{- define "modelgateway.redisPasswordDirectory" -}}
/var/run/secrets/modelgateway-redis
{{- end }}

{{- define "modelgateway.redisPasswordFile" -}}
{{ include "modelgateway.redisPasswordDirectory" . }}/password
{{- end }}
