{{/*
Least privilege: read and annotate this one Job, nothing else. Items of the hook list (hook.yaml).
*/}}
{{- define "mongo2pg.role" -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ include "mongo2pg.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "mongo2pg.labels" . | nindent 4 }}
rules:
  - apiGroups: ["batch"]
    resources: ["jobs"]
    resourceNames: [{{ include "mongo2pg.jobName" . | quote }}]
    verbs: ["get", "patch"]
{{- end -}}

{{- define "mongo2pg.roleBinding" -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ include "mongo2pg.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "mongo2pg.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ include "mongo2pg.fullname" . }}
subjects:
  - kind: ServiceAccount
    name: {{ include "mongo2pg.serviceAccountName" . }}
    namespace: {{ .Release.Namespace }}
{{- end -}}
