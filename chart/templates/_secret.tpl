{{/*
The secrets given as inline values, an item of the hook list (hook.yaml) when there are any, so
it lives and goes with the Job. Prefer existing Secrets (secretKeyRef): inline values are also
stored in the Helm release.
*/}}
{{- define "mongo2pg.inlineSecrets" -}}
{{- $inline := list }}
{{- range (include "mongo2pg.secretSources" . | fromJsonArray) }}
{{- if .inline }}
{{- $inline = append $inline . }}
{{- end }}
{{- end }}
{{- if $inline }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "mongo2pg.inlineSecretName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "mongo2pg.labels" . | nindent 4 }}
type: Opaque
data:
  {{- range $inline }}
  {{ .file }}: {{ .value | b64enc | quote }}
  {{- end }}
{{- end }}
{{- end -}}
