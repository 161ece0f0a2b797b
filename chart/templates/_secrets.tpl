{{/*
The three secret settings. Each is resolved to one Secret name and key, in this order:
  1. the chart's own `secretKeyRef` (an existing Secret),
  2. the chart's own inline `value` (stored in the chart-owned Secret),
  3. the umbrella-chart globals (an existing Secret, then an inline value),
and mounted as a file that the program reads through `<ENV>_FILE`. A value never appears in the
Job spec. Renders JSON: a list of {setting, env, file, name, key, inline, value}.
*/}}
{{- define "mongo2pg.secretSources" -}}
{{- $inlineName := include "mongo2pg.inlineSecretName" . -}}
{{- $g := .Values.global | default dict -}}
{{- $gm := $g.mongo | default dict -}}
{{- $gp := $g.postgres | default dict -}}
{{- $gc := $g.credentials | default dict -}}
{{- $gpw := $gc.masterPassword | default dict -}}
{{- if kindIs "string" $gpw -}}
{{- $gpw = dict "value" $gpw -}}
{{- end -}}
{{- $gpwRef := $gpw.secretKeyRef | default dict -}}
{{- $specs := list
  (dict "setting" "mongo.dsn" "env" "API_MONGO_DSN" "file" "mongo-dsn" "local" .Values.mongo.dsn
        "globalName" ($gm.dsnSecretRef | default "") "globalKey" ($gm.dsnSecretKey | default "MONGO_DSN")
        "globalValue" ($gm.dsn | default "") "globalHint" "global.mongo.dsnSecretRef")
  (dict "setting" "postgres.url" "env" "API_POSTGRES_URL" "file" "postgres-url" "local" .Values.postgres.url
        "globalName" ($gp.dsnSecretRef | default "") "globalKey" ($gp.dsnSecretKey | default "POSTGRES_DSN")
        "globalValue" "" "globalHint" "global.postgres.dsnSecretRef")
  (dict "setting" "credentials.masterPassword" "env" "CREDENTIALS_MASTER_PASSWORD" "file" "credentials-master-password" "local" .Values.credentials.masterPassword
        "globalName" ($gpwRef.name | default "") "globalKey" ($gpwRef.key | default "")
        "globalValue" ($gpw.value | default "") "globalHint" "global.credentials.masterPassword")
-}}
{{- $out := list -}}
{{- range $specs -}}
{{- $local := .local | default dict -}}
{{- $ref := $local.secretKeyRef | default dict -}}
{{- $value := $local.value | default "" -}}
{{- $src := dict "setting" .setting "env" .env "file" .file -}}
{{- if and $ref.name $value -}}
{{- fail (printf "%s: set either secretKeyRef or value, not both" .setting) -}}
{{- else if $ref.name -}}
{{- if not $ref.key -}}
{{- fail (printf "%s.secretKeyRef.key is required with %s.secretKeyRef.name" .setting .setting) -}}
{{- end -}}
{{- $_ := set $src "name" $ref.name -}}
{{- $_ = set $src "key" $ref.key -}}
{{- $_ = set $src "inline" false -}}
{{- else if $value -}}
{{- $_ := set $src "name" $inlineName -}}
{{- $_ = set $src "key" .file -}}
{{- $_ = set $src "inline" true -}}
{{- $_ = set $src "value" $value -}}
{{- else if .globalName -}}
{{- if not .globalKey -}}
{{- fail (printf "%s: %s needs a key" .setting .globalHint) -}}
{{- end -}}
{{- $_ := set $src "name" .globalName -}}
{{- $_ = set $src "key" .globalKey -}}
{{- $_ = set $src "inline" false -}}
{{- else if .globalValue -}}
{{- $_ := set $src "name" $inlineName -}}
{{- $_ = set $src "key" .file -}}
{{- $_ = set $src "inline" true -}}
{{- $_ = set $src "value" .globalValue -}}
{{- else -}}
{{- fail (printf "%s (%s) is required: set %s.secretKeyRef.name/key to an existing Secret, %s.value, or %s" .setting .env .setting .setting .globalHint) -}}
{{- end -}}
{{- $out = append $out $src -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{- define "mongo2pg.inlineSecretName" -}}
{{- printf "%s-secrets" (include "mongo2pg.fullname" . | trunc 55 | trimSuffix "-") -}}
{{- end -}}
