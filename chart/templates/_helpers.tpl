{{/*
Names, labels, hook annotations and the image reference.
*/}}

{{- define "mongo2pg.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name, also the Job's name. Kept to 63 characters: the Job controller copies it into the
pod label `job-name`, and label values are limited to 63.
*/}}
{{- define "mongo2pg.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mongo2pg.jobName" -}}
{{- if eq (include "mongo2pg.mode" .) "precopy" -}}
{{- printf "%s-precopy" (include "mongo2pg.fullname" . | trunc 55 | trimSuffix "-") -}}
{{- else -}}
{{- include "mongo2pg.fullname" . -}}
{{- end -}}
{{- end -}}

{{/*
mongoToPostgresMigration.mode (docs/cutover.md): `hook` runs `command` as a Helm hook; `precopy`
runs `migrate` as a plain Job (the upgrade does not wait for it, the application keeps running);
`cutover` runs `catch-up` as the hook.
*/}}
{{- define "mongo2pg.mode" -}}
{{- .Values.mongoToPostgresMigration.mode | default "hook" -}}
{{- end -}}

{{- define "mongo2pg.command" -}}
{{- $mode := include "mongo2pg.mode" . -}}
{{- if eq $mode "precopy" -}}migrate{{- else if eq $mode "cutover" -}}catch-up{{- else -}}{{ .Values.command }}{{- end -}}
{{- end -}}

{{/*
With serviceAccount.create=false and no name the pod runs as the namespace's `default` account;
hook.yaml then refuses to render a Role for it (other pods share that account).
*/}}
{{- define "mongo2pg.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mongo2pg.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "mongo2pg.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mongo2pg.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mongo2pg.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mongo2pg.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: migration
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Hook annotations of the hook list (hook.yaml). Call with (dict "ctx" $ "weight" <int>).
*/}}
{{- define "mongo2pg.hookAnnotations" -}}
{{- $hook := .ctx.Values.mongoToPostgresMigration.hook -}}
helm.sh/hook: {{ join "," $hook.events | quote }}
helm.sh/hook-weight: {{ .weight | int64 | toString | quote }}
helm.sh/hook-delete-policy: {{ join "," $hook.deletePolicy | quote }}
{{- end -}}

{{- define "mongo2pg.jobWeight" -}}
{{- .Values.mongoToPostgresMigration.hook.weight | int64 -}}
{{- end -}}

{{- define "mongo2pg.image" -}}
{{- $registry := default .Values.image.registry .Values.global.imageRegistry -}}
{{- $repository := .Values.image.repository -}}
{{- if $registry -}}
{{- $repository = printf "%s/%s" $registry $repository -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{/*
Pull secrets from image.pullSecrets and global.imagePullSecrets, each a name or a {name: ...} map.
*/}}
{{- define "mongo2pg.imagePullSecrets" -}}
{{- $names := list -}}
{{- range (concat (.Values.image.pullSecrets | default list) (.Values.global.imagePullSecrets | default list)) -}}
{{- if kindIs "map" . -}}
{{- $names = append $names .name -}}
{{- else -}}
{{- $names = append $names . -}}
{{- end -}}
{{- end -}}
{{- range (uniq $names) }}
- name: {{ . }}
{{- end -}}
{{- end -}}
