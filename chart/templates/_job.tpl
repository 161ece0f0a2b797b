{{/*
The migration Job, an item of the hook list (hook.yaml).
*/}}
{{- define "mongo2pg.job" -}}
{{- $secrets := include "mongo2pg.secretSources" . | fromJsonArray }}
{{- $annotate := .Values.progress.annotateJob }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "mongo2pg.jobName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "mongo2pg.labels" . | nindent 4 }}
    {{- with .Values.job.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.job.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  backoffLimit: {{ .Values.job.backoffLimit }}
  {{- with .Values.job.activeDeadlineSeconds }}
  activeDeadlineSeconds: {{ . }}
  {{- end }}
  {{- if not (kindIs "invalid" .Values.job.ttlSecondsAfterFinished) }}
  ttlSecondsAfterFinished: {{ .Values.job.ttlSecondsAfterFinished }}
  {{- end }}
  {{- if .Values.job.podFailurePolicy.enabled }}
  podFailurePolicy:
    rules:
      # Evicted, preempted or drained: not the migration's fault; the next pod resumes.
      - action: Ignore
        onPodConditions:
          - type: DisruptionTarget
            # Required by the API server (PodFailurePolicyOnPodConditionsPattern.status).
            status: "True"
      # Invalid configuration (2), pre-flight refused (3), verification failed (5): a retry
      # cannot succeed, so do not spend the backoffLimit on it.
      - action: FailJob
        onExitCodes:
          containerName: migrate
          operator: In
          values: [2, 3, 5]
  {{- end }}
  template:
    metadata:
      labels:
        {{- include "mongo2pg.selectorLabels" . | nindent 8 }}
        app.kubernetes.io/component: migration
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      restartPolicy: Never
      serviceAccountName: {{ include "mongo2pg.serviceAccountName" . }}
      # The token is only needed to annotate this Job.
      automountServiceAccountToken: {{ $annotate }}
      # Service links would add env vars for every Service in the namespace.
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
      {{- with .Values.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with (include "mongo2pg.imagePullSecrets" . | trim) }}
      imagePullSecrets:
        {{- . | nindent 8 }}
      {{- end }}
      {{- with .Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: migrate
          image: {{ include "mongo2pg.image" . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          args:
            - {{ include "mongo2pg.command" . | quote }}
            {{- if eq (include "mongo2pg.mode" .) "precopy" }}
            # A pre-copy reads a source the application still writes: verification would find the
            # writes made during the run. The catch-up at cutover verifies (docs/cutover.md).
            - "--convert_verify=false"
            {{- end }}
            {{- range .Values.extraArgs }}
            - {{ . | quote }}
            {{- end }}
          env:
            {{- range $secrets }}
            - name: {{ .env }}_FILE
              value: {{ printf "%s/%s" $.Values.secretsMountPath .file | quote }}
            {{- end }}
            {{- include "mongo2pg.settingsEnv" . | trim | nindent 12 }}
            {{- if $annotate }}
            # The Job controller labels its pods with job-name = the Job's name.
            - name: JOB_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.labels['job-name']
            - name: JOB_NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
            {{- end }}
            {{- with .Values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- with .Values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with .Values.containerSecurityContext }}
          securityContext:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            - name: secrets
              mountPath: {{ .Values.secretsMountPath }}
              readOnly: true
            - name: work
              mountPath: {{ .Values.convert.workDir }}
              {{- with .Values.workVolume.subPath }}
              subPath: {{ . }}
              {{- end }}
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: secrets
          projected:
            # Readable by the pod's fsGroup only.
            defaultMode: 0440
            sources:
              {{- range $secrets }}
              - secret:
                  name: {{ .name }}
                  items:
                    - key: {{ .key }}
                      path: {{ .file }}
              {{- end }}
        - name: work
          {{- if .Values.workVolume.existingClaim }}
          persistentVolumeClaim:
            claimName: {{ .Values.workVolume.existingClaim }}
          {{- else }}
          emptyDir:
            sizeLimit: {{ .Values.workVolume.sizeLimit }}
          {{- end }}
        - name: tmp
          emptyDir:
            sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}
