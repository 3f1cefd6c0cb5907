{{/* Chart name, or nameOverride. */}}
{{- define "mfstream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every resource name: fullnameOverride, else RELEASE-NAME (RELEASE alone when it already
contains the chart name). 63 characters at most (DNS label).
*/}}
{{- define "mfstream.fullname" -}}
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

{{/* name-version, for the helm.sh/chart label. */}}
{{- define "mfstream.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "mfstream.labels" -}}
helm.sh/chart: {{ include "mfstream.chart" . }}
{{ include "mfstream.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mfstream
{{- end }}

{{/* Labels that identify the release's resources (stable: part of selectors). */}}
{{- define "mfstream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mfstream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector of the application pods. The component label keeps the topics Job's pod (component
"topics") out of the Services.
*/}}
{{- define "mfstream.podSelectorLabels" -}}
{{ include "mfstream.selectorLabels" . }}
app.kubernetes.io/component: pipeline
{{- end }}

{{/* The application image, with the cuda suffix for the cuda variant. */}}
{{- define "mfstream.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag | toString }}
{{- if eq .Values.image.variant "cuda" }}
{{- $tag = printf "%s%s" $tag .Values.image.cudaTagSuffix }}
{{- end }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}

{{/* Names of the generated resources. */}}
{{- define "mfstream.configMapName" -}}
{{- printf "%s-config" (include "mfstream.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "mfstream.headlessServiceName" -}}
{{- printf "%s-headless" (include "mfstream.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Where the properties file is mounted (the image reads it from there). */}}
{{- define "mfstream.configDir" -}}/etc/mfstream{{- end }}
{{- define "mfstream.configFile" -}}mfstream.properties{{- end }}
{{- /* The topic definitions (files/topics) are mounted here; the properties' topics.dir. */}}
{{- define "mfstream.topicsDir" -}}/etc/mfstream/topics{{- end }}
{{- /* The ConfigMap key of a topic file (keys cannot hold a /). */}}
{{- define "mfstream.topicKey" -}}{{ printf "topic-%s" (base .) }}{{- end }}

{{/*
A scalar as text for a .properties file or a command line: whole numbers without an exponent
(YAML numbers arrive as float64, which Go would print as 6.048e+08), everything else as is.
*/}}
{{- define "mfstream.scalar" -}}
{{- $v := . }}
{{- if and (kindIs "float64" $v) (eq $v (floor $v)) }}
{{- $v | int64 }}
{{- else }}
{{- $v }}
{{- end }}
{{- end }}

{{/*
A value escaped for a .properties file: backslashes doubled, line breaks as \n, and a leading
space kept (java.util.Properties would strip it).
*/}}
{{- define "mfstream.propertyValue" -}}
{{- $s := include "mfstream.scalar" . }}
{{- $s = $s | replace "\\" "\\\\" | replace "\r" "\\r" | replace "\n" "\\n" }}
{{- if hasPrefix " " $s }}{{ $s = printf "\\%s" $s }}{{ end }}
{{- $s }}
{{- end }}

{{/*
The environment variable the application reads as kafka.PROPERTY (docs/CONFIGURATION.md:
MFSTREAM_X_Y sets x.y): MFSTREAM_KAFKA_ + the property upper-cased, dots as underscores.
*/}}
{{- define "mfstream.kafkaEnvName" -}}
{{- printf "MFSTREAM_KAFKA_%s" (. | upper | replace "." "_") }}
{{- end }}

{{/* Env vars of the Kafka credentials, from the existing Secret kafkaSecret.name. */}}
{{- define "mfstream.kafkaSecretEnv" -}}
{{- range $property, $key := .Values.kafkaSecret.keys }}
- name: {{ include "mfstream.kafkaEnvName" $property }}
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.kafkaSecret.name | quote }}
      key: {{ $key | quote }}
{{- end }}
{{- end }}

{{/*
Checks that values.schema.json cannot express; fails the render with a message naming the value.
*/}}
{{- define "mfstream.validate" -}}
{{- $names := dict }}
{{- range .Values.config.models }}
{{- if hasKey $names .name }}
{{- fail (printf "config.models: the model name %q appears twice" .name) }}
{{- end }}
{{- $_ := set $names .name true }}
{{- end }}
{{- if ge (float64 .Values.config.ratingMin) (float64 .Values.config.ratingMax) }}
{{- fail (printf "config.ratingMin (%v) must be below config.ratingMax (%v)" .Values.config.ratingMin .Values.config.ratingMax) }}
{{- end }}
{{- range $property, $_ := .Values.config.kafka }}
{{- if hasKey $.Values.kafkaSecret.keys $property }}
{{- fail (printf "config.kafka.%s is also in kafkaSecret.keys: give it in one place only (the Secret for credentials)" $property) }}
{{- end }}
{{- if regexMatch "(?i)(password|jaas|secret|token)" $property }}
{{- fail (printf "config.kafka.%s looks like a credential; the ConfigMap is not the place for it: put it in a Secret and name it in kafkaSecret.keys" $property) }}
{{- end }}
{{- end }}
{{- $topics := (include "mfstream.topics" . | fromJson).topics }}
{{- range $topics }}
{{- if and (eq .name "ratings-valid") (lt (int .partitions) (len $.Values.config.models)) }}
{{- fail (printf "config.models names %d models but topic ratings-valid (%s) has %s partitions: the pipeline needs one per model; raise its partitions in topics/ratings-valid.properties and run helm/sync-files.sh" (len $.Values.config.models) .file .partitions) }}
{{- end }}
{{- end }}
{{- end }}
