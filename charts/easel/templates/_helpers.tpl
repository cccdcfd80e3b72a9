{{/* Names and labels. */}}
{{- define "easel.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "easel.fullname" -}}
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

{{/* A component's object name: <fullname>-<component>, or <fullname>-<nameSuffix> (a pool: worker-<pool>). */}}
{{- define "easel.componentName" -}}
{{- printf "%s-%s" (include "easel.fullname" .root) (.nameSuffix | default .component) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "easel.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: easel
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of a component (dict root, component). Every Easel pod has part-of=easel and the instance:
     the NetworkPolicies admit exactly those to NATS. */}}
{{- define "easel.selectorLabels" -}}
app.kubernetes.io/name: {{ include "easel.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "easel.componentLabels" -}}
{{ include "easel.labels" .root }}
{{ include "easel.selectorLabels" . }}
{{- end }}

{{/* Every Easel pod of this release (for NetworkPolicies). */}}
{{- define "easel.podsOfRelease" -}}
app.kubernetes.io/name: {{ include "easel.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "easel.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) }}
{{- end }}

{{/* One ServiceAccount per component (every worker pool shares the workers'). */}}
{{- define "easel.serviceAccountName" -}}
{{- default (include "easel.componentName" (dict "root" .root "component" .component)) .values.serviceAccount.name }}
{{- end }}

{{/* The worker pools: names in order, after checking they are unique and that each has a NATS identity. */}}
{{- define "easel.poolNames" -}}
{{- $names := list }}
{{- range .Values.workers.pools }}
{{- if has .name $names }}
{{- fail (printf "workers.pools: the pool name %q appears twice; each pool is one Deployment, one consumer (worker-%s) and one NATS identity" .name .name) }}
{{- end }}
{{- $names = append $names .name }}
{{- end }}
{{- $ids := .Values.natsClient.identities }}
{{- if not $ids.pools }}
{{- fail "natsClient.identities is empty: pass the nats-values.yaml that `easel nats-config` writes (-f nats-values.yaml), made with EASEL_POOLS set to these pools" }}
{{- end }}
{{- range $names }}
{{- if not (has . $ids.pools) }}
{{- fail (printf "workers.pools: pool %q has no NATS identity in natsClient.identities (pools %s): run `easel nats-config` again with EASEL_POOLS='%s' and apply its Secret" . (toJson $ids.pools) (toJson $names)) }}
{{- end }}
{{- end }}
{{- if and $ids.natsNamespace (ne $ids.natsNamespace .Values.natsNamespace) }}
{{- fail (printf "natsNamespace is %q but the NATS identities were made for %q: run `easel nats-config` with EASEL_NAMESPACE=%s" .Values.natsNamespace $ids.natsNamespace .Values.natsNamespace) }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/* One pool's settings: the workers' defaults, overridden by the pool (maps key by key, the rest whole). */}}
{{- define "easel.pool" -}}
{{- $base := .root.Values.workers }}
{{- $out := dict "name" .pool.name }}
{{- range $key := list "replicaCount" "resources" "nodeSelector" "tolerations" "affinity" "podAnnotations" "podLabels" "env" "engine" "gpu" "preloadModels" "modelCache" "modelConfig" "speed" "batching" "autoscaling" "pdb" }}
{{- $value := get $base $key }}
{{- if hasKey $.pool $key }}
{{- $override := get $.pool $key }}
{{- if and (kindIs "map" $value) (kindIs "map" $override) (has $key (list "podAnnotations" "podLabels" "env" "gpu" "modelCache" "modelConfig" "speed" "batching" "autoscaling" "pdb")) }}
{{- $merged := deepCopy $value }}
{{- range $k, $v := $override }}
{{- $_ := set $merged $k $v }}
{{- end }}
{{- $value = $merged }}
{{- else }}
{{- $value = $override }}
{{- end }}
{{- end }}
{{- $_ := set $out $key $value }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/* NATS: where it is, how KEDA reads it, how many replicas streams get. */}}
{{- define "easel.natsFullname" -}}
{{- if .Values.nats.fullnameOverride }}
{{- .Values.nats.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default "nats" .Values.nats.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "easel.natsUrl" -}}
{{- if .Values.natsClient.url }}
{{- .Values.natsClient.url }}
{{- else if .Values.nats.enabled }}
{{- printf "%s://%s.%s.svc:4222" (ternary "tls" "nats" .Values.natsClient.tls.enabled) (include "easel.natsFullname" .) .Release.Namespace }}
{{- else }}
{{- fail "natsClient.url is required when nats.enabled is false (the external NATS, e.g. tls://nats.infra:4222)" }}
{{- end }}
{{- end }}

{{- define "easel.natsMonitoringEndpoint" -}}
{{- if .Values.natsClient.monitoringEndpoint }}
{{- .Values.natsClient.monitoringEndpoint }}
{{- else if .Values.nats.enabled }}
{{- printf "%s-headless.%s.svc.%s:%d" (include "easel.natsFullname" .) .Release.Namespace .Values.clusterDomain (int .Values.nats.config.monitor.port) }}
{{- else }}
{{- fail "natsClient.monitoringEndpoint is required when nats.enabled is false: KEDA reads the pool consumers' backlog there (host:8222)" }}
{{- end }}
{{- end }}

{{- define "easel.streamReplicas" -}}
{{- if not (kindIs "invalid" .Values.natsClient.streamReplicas) }}
{{- .Values.natsClient.streamReplicas }}
{{- else if and .Values.nats.enabled .Values.nats.config.cluster.enabled }}
{{- .Values.nats.config.cluster.replicas | default 3 }}
{{- else }}
{{- 1 }}
{{- end }}
{{- end }}

{{/* The stream and consumer names the code uses (easel_proto.Names): {NS}_JOBS and worker-{pool}. */}}
{{- define "easel.jobsStream" -}}
{{- printf "%s_JOBS" (.Values.natsNamespace | upper | replace "-" "_") }}
{{- end }}

{{- define "easel.appSecretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else if .Values.secrets.create }}
{{- printf "%s-app" (include "easel.fullname" .) }}
{{- else }}
{{- fail "secrets: set existingSecret (a Secret with jwt-secret, admin-key, caller-key, webhook-secret-key) or create: true with their values" }}
{{- end }}
{{- end }}

{{- define "easel.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else if .Values.database.url }}
{{- printf "%s-database" (include "easel.fullname" .) }}
{{- else }}
{{- fail "database: set existingSecret (a Secret whose key database.key holds the PostgreSQL URL) or url" }}
{{- end }}
{{- end }}

{{/* Environment every Easel process gets (dict root, identity, component values). */}}
{{- define "easel.commonEnv" -}}
{{- $root := .root }}
- name: EASEL_ENV
  value: {{ $root.Values.env | quote }}
- name: EASEL_NAMESPACE
  value: {{ $root.Values.natsNamespace | quote }}
- name: EASEL_LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
- name: EASEL_DATA_DIR
  value: /var/lib/easel
- name: EASEL_POOLS
  value: {{ include "easel.poolNames" $root | quote }}
- name: EASEL_NATS_URL
  value: {{ include "easel.natsUrl" $root | quote }}
{{- with $root.Values.webhooks.allowHosts }}
- name: EASEL_WEBHOOK_ALLOW_HOSTS
  value: {{ toJson . | quote }}
{{- end }}
{{- with $root.Values.publicUrl }}
- name: EASEL_PUBLIC_URL
  value: {{ . | quote }}
{{- end }}
- name: EASEL_NATS_SEED_FILE
  value: /var/run/secrets/easel/nats/{{ .identity }}.nk
{{- if $root.Values.natsClient.tls.enabled }}
- name: EASEL_NATS_TLS_CA_FILE
  value: /etc/easel/nats-tls/ca.crt
{{- end }}
{{- if and .values.metrics.enabled (eq .probePort "metrics") }}
- name: EASEL_METRICS_PORT
  value: {{ .values.metrics.port | quote }}
{{- end }}
{{- end }}

{{/* EASEL_CALLER_PUBLIC_KEY for the services that check the gateway's caller statements. */}}
{{- define "easel.callerPublicKeyEnv" -}}
- name: EASEL_CALLER_PUBLIC_KEY
{{- if .Values.callerPublicKey }}
  value: {{ .Values.callerPublicKey | quote }}
{{- else }}
  valueFrom:
    secretKeyRef:
      name: {{ include "easel.appSecretName" . }}
      key: caller-public-key
{{- end }}
{{- end }}

{{- define "easel.databaseEnv" -}}
- name: EASEL_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "easel.databaseSecretName" . }}
      key: {{ .Values.database.key }}
{{- end }}

{{- define "easel.objectStoreEnv" -}}
{{- $s := .Values.objectStore }}
- name: EASEL_STORE
  value: s3
- name: EASEL_S3_BUCKET
  value: {{ required "objectStore.bucket is required: the S3 bucket for images and models" $s.bucket | quote }}
- name: EASEL_S3_REGION
  value: {{ $s.region | quote }}
{{- with $s.endpointUrl }}
- name: EASEL_S3_ENDPOINT_URL
  value: {{ . | quote }}
{{- end }}
{{- with $s.credentials.existingSecret }}
- name: EASEL_S3_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $s.credentials.accessKeyIdKey }}
- name: EASEL_S3_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $s.credentials.secretAccessKeyKey }}
{{- end }}
{{- end }}

{{/* A component's own extra EASEL_* settings. */}}
{{- define "easel.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* Volumes every Easel pod has: its own NATS seed (only its key of the Secret), the NATS CA, scratch dirs. */}}
{{- define "easel.commonVolumes" -}}
- name: nats-identity
  secret:
    secretName: {{ .root.Values.natsClient.identities.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .identity }}.nk
        path: {{ .identity }}.nk
{{- if .root.Values.natsClient.tls.enabled }}
- name: nats-tls
  secret:
    secretName: {{ .root.Values.natsClient.tls.caSecret.name }}
    defaultMode: 0444
    items:
      - key: {{ .root.Values.natsClient.tls.caSecret.key }}
        path: ca.crt
{{- end }}
- name: data
  emptyDir:
    sizeLimit: {{ .values.scratchSizeLimit }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .values.scratchSizeLimit }}
{{- end }}

{{- define "easel.commonVolumeMounts" -}}
- name: nats-identity
  mountPath: /var/run/secrets/easel/nats
  readOnly: true
{{- if .Values.natsClient.tls.enabled }}
- name: nats-tls
  mountPath: /etc/easel/nats-tls
  readOnly: true
{{- end }}
- name: data
  mountPath: /var/lib/easel
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* Probes: liveness /healthz and readiness /readyz on `port`, a startup probe while the process migrates or
     loads; timings from the component's `probes` (startup, liveness, readiness). */}}
{{- define "easel.probes" -}}
{{- $p := .values.probes | default dict }}
{{- $startup := merge (dict) ($p.startup | default dict) (dict "periodSeconds" 5 "failureThreshold" (.startupFailures | default 60) "timeoutSeconds" 3) }}
{{- $liveness := merge (dict) ($p.liveness | default dict) (dict "periodSeconds" 10 "failureThreshold" 3 "timeoutSeconds" 3) }}
{{- $readiness := merge (dict) ($p.readiness | default dict) (dict "periodSeconds" 5 "failureThreshold" 2 "timeoutSeconds" 3) }}
startupProbe:
  httpGet:
    path: /healthz
    port: {{ .port }}
  {{- toYaml $startup | nindent 2 }}
livenessProbe:
  httpGet:
    path: /healthz
    port: {{ .port }}
  {{- toYaml $liveness | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: {{ .port }}
  {{- toYaml $readiness | nindent 2 }}
{{- end }}

{{- define "easel.scrapeAnnotations" -}}
{{- if and .root.Values.monitoring.scrapeAnnotations .values.metrics.enabled }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .values.metrics.port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end }}

{{- define "easel.poolDemandUrl" -}}
{{- $jobs := dict "root" . "component" "jobs" }}
{{- printf "http://%s.%s.svc.%s:%d/pools" (include "easel.componentName" $jobs) .Release.Namespace .Values.clusterDomain (int .Values.jobs.metrics.port) }}
{{- end }}

{{/* The jobs service's trainings settings: Jobs of the trainer image (trainer.enabled), or none (they stay
     queued). Each pool's Job shape is trainer.defaults with trainer.pools.<pool> over it (maps key by key). */}}
{{- define "easel.trainerEnv" -}}
{{- $t := .Values.trainer }}
{{- if $t.enabled }}
{{- $pools := dict }}
{{- range $name := include "easel.poolNames" . | fromJsonArray }}
{{- $shape := deepCopy $t.defaults }}
{{- range $k, $v := (get $t.pools $name | default dict) }}
{{- if and (kindIs "map" $v) (kindIs "map" (get $shape $k)) }}
{{- $_ := set $shape $k (merge (deepCopy $v) (get $shape $k)) }}
{{- else }}
{{- $_ := set $shape $k $v }}
{{- end }}
{{- end }}
{{- $_ := set $pools $name $shape }}
{{- end }}
{{- $ctx := dict "root" . "component" "trainer" }}
{{- $labels := dict "app.kubernetes.io/name" (include "easel.name" .) "app.kubernetes.io/instance" .Release.Name }}
- name: EASEL_TRAINER_LAUNCHER
  value: kubernetes
- name: EASEL_TRAINER_IMAGE
  value: {{ include "easel.image" (dict "root" . "image" $t.image) | quote }}
- name: EASEL_TRAINER_IMAGE_PULL_POLICY
  value: {{ $t.image.pullPolicy | quote }}
- name: EASEL_TRAINER_SERVICE_ACCOUNT
  value: {{ $t.serviceAccount.name | default (include "easel.componentName" $ctx) | quote }}
- name: EASEL_TRAINER_SEED_SECRET
  value: {{ .Values.natsClient.identities.existingSecret | quote }}
- name: EASEL_TRAINER_SLOTS
  value: {{ $t.maxConcurrent | quote }}
- name: EASEL_TRAINER_ACTIVE_DEADLINE_S
  value: {{ $t.activeDeadlineSeconds | quote }}
- name: EASEL_TRAINER_BACKOFF_LIMIT
  value: {{ $t.backoffLimit | quote }}
- name: EASEL_TRAINER_TTL_AFTER_FINISHED_S
  value: {{ $t.ttlSecondsAfterFinished | quote }}
- name: EASEL_TRAINER_POOLS
  value: {{ toJson $pools | quote }}
- name: EASEL_TRAINER_LABELS
  value: {{ toJson $labels | quote }}
- name: EASEL_TRAINER_ENV
  value: {{ toJson ($t.env | default dict) | quote }}
{{- if .Values.natsClient.tls.enabled }}
- name: EASEL_TRAINER_NATS_TLS_SECRET
  value: {{ .Values.natsClient.tls.caSecret.name | quote }}
- name: EASEL_TRAINER_NATS_TLS_KEY
  value: {{ .Values.natsClient.tls.caSecret.key | quote }}
{{- end }}
{{- with .Values.objectStore.credentials.existingSecret }}
- name: EASEL_TRAINER_S3_CREDENTIALS_SECRET
  value: {{ . | quote }}
- name: EASEL_TRAINER_S3_ACCESS_KEY_ID_KEY
  value: {{ $.Values.objectStore.credentials.accessKeyIdKey | quote }}
- name: EASEL_TRAINER_S3_SECRET_ACCESS_KEY_KEY
  value: {{ $.Values.objectStore.credentials.secretAccessKeyKey | quote }}
{{- end }}
{{- else }}
- name: EASEL_TRAINER_LAUNCHER
  value: none
{{- end }}
{{- end }}

{{/* The pool controller's worker template (gpu-worker/pool-template.yaml). */}}
{{- define "easel.poolTemplateName" -}}
{{- printf "%s-pool-template" (include "easel.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret nats-server includes its authorization from: <release>-easel-nats-authorization, also named in
     values.yaml (nats.podTemplate.patch, templated by the NATS chart), which knows only the release's name. */}}
{{- define "easel.natsAuthorizationSecret" -}}
{{- printf "%s-easel-nats-authorization" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The seeds of the pools made through /v1/pools (the pool controller makes and keeps it; a pool's pods mount
     their key only). */}}
{{- define "easel.poolSeedsSecret" -}}
{{- printf "%s-easel-pool-seeds" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
