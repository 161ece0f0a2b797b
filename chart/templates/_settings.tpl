{{/*
The program's non-secret settings (app/config/settings.ts) and the values they come from: one row
per env var, values path = the setting's key. e2e/chart-settings.test.ts checks this table against
the program's settings, so a setting added there and missing here fails the tests.
An empty or null value is not rendered and leaves the program's default in force.
Settings not listed: the secrets (see _secrets.tpl), JOB_NAME/JOB_NAMESPACE (downward API, see
job.yaml) and KUBERNETES_SERVICE_HOST/PORT (set by the kubelet in every pod).
*/}}
{{- define "mongo2pg.settingsTable" -}}
- [API_MONGO_DB, mongo.db]
- [API_MONGO_MIN_POOL_SIZE, mongo.minPoolSize]
- [API_MONGO_MAX_POOL_SIZE, mongo.maxPoolSize]
- [API_MONGO_MAX_CONNECTING, mongo.maxConnecting]
- [API_MONGO_READ_PREFERENCE, mongo.readPreference]
- [API_MONGO_CONNECTION_TIMEOUT, mongo.connectionTimeout]
- [API_MONGO_CONNECTION_DELAY, mongo.connectionDelay]
- [API_MONGO_CONNECTION_ATTEMPTS, mongo.connectionAttempts]
- [API_MONGO_SOCKET_TIMEOUT, mongo.socketTimeout]
- [API_POSTGRES_CONNECTION_TIMEOUT, postgres.connectionTimeout]
- [API_POSTGRES_CONNECTION_DELAY, postgres.connectionDelay]
- [API_POSTGRES_CONNECTION_ATTEMPTS, postgres.connectionAttempts]
- [API_POSTGRES_STATEMENT_TIMEOUT, postgres.statementTimeout]
- [CONVERT_BATCH_SIZE, convert.batchSize]
- [CONVERT_BULK_READ_SIZE, convert.bulkReadSize]
- [CONVERT_BULK_WRITE_SIZE, convert.bulkWriteSize]
- [CONVERT_WORKERS, convert.workers]
- [CONVERT_BULK_PARALLEL, convert.bulkParallel]
- [CONVERT_BULK_THREADS, convert.bulkThreads]
- [CONVERT_DRY_RUN, convert.dryRun]
- [CONVERT_SKIP_EXISTING, convert.skipExisting]
- [CONVERT_WORK_DIR, convert.workDir]
- [CONVERT_SKIP_INTEGRITY_ERRORS, convert.skipIntegrityErrors]
- [CONVERT_SINCE, convert.since]
- [CONVERT_VERIFY, convert.verify]
- [CONVERT_STALL_TIMEOUT, convert.stallTimeout]
- [CATCHUP_LOOKBACK, convert.catchUpLookback]
- [LOG_FORMAT, progress.logFormat]
- [LOG_LEVEL, progress.logLevel]
- [PROGRESS_INTERVAL, progress.interval]
- [PUSHGATEWAY_URL, progress.pushgatewayUrl]
- [PUSHGATEWAY_INTERVAL, progress.pushInterval]
- [RELEASE_NAME, progress.release]
- [ANNOTATION_INTERVAL, progress.annotationInterval]
- [KUBE_SERVICE_ACCOUNT_DIR, progress.kubeServiceAccountDir]
{{- end -}}

{{/*
Values with a fallback other than the program's default.
*/}}
{{- define "mongo2pg.settingFallbacks" -}}
{{- $g := .Values.global | default dict -}}
{{- $gm := $g.mongo | default dict -}}
{{- toJson (dict
  "mongo.db" ($gm.database | default "")
  "progress.release" .Release.Name
) -}}
{{- end -}}

{{/*
env entries for the non-secret settings.
*/}}
{{- define "mongo2pg.settingsEnv" -}}
{{- $fallbacks := include "mongo2pg.settingFallbacks" . | fromJson -}}
{{- range $row := include "mongo2pg.settingsTable" . | fromYamlArray }}
{{- $env := index $row 0 -}}
{{- $path := index $row 1 -}}
{{- $val := $.Values -}}
{{- range $part := splitList "." $path -}}
{{- if kindIs "map" $val -}}
{{- $val = index $val $part -}}
{{- else -}}
{{- $val = "" -}}
{{- end -}}
{{- end -}}
{{- if or (kindIs "invalid" $val) (eq (toString $val) "") -}}
{{- $val = index $fallbacks $path | default "" -}}
{{- end -}}
{{- if or (kindIs "float64" $val) (kindIs "int64" $val) (kindIs "int" $val) -}}
{{- $val = $val | int64 | toString -}}
{{- end -}}
{{- if ne (toString $val) "" }}
- name: {{ $env }}
  value: {{ toString $val | quote }}
{{- end -}}
{{- end -}}
{{- end -}}
