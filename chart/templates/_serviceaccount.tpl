{{/*
The Job's own ServiceAccount, an item of the hook list (hook.yaml).
*/}}
{{- define "mongo2pg.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "mongo2pg.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "mongo2pg.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
# The pod opts in to the token only when it annotates its Job (progress.annotateJob).
automountServiceAccountToken: false
{{- end -}}
