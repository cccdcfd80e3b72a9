{{/* The Deployment every Easel process runs in. Arguments (a dict):
     root, component, identity (its NATS identity), values (the component's values, a pool's merged ones),
     command, probePort, ports/env/volumes/volumeMounts (YAML lists the component adds), replicas (omitted when
     KEDA scales it), extraLabels, resources, terminationGracePeriodSeconds, startupFailures, apiToken (mount the
     ServiceAccount's Kubernetes API token: only the jobs service, when it runs trainings as Jobs). */}}
{{- define "easel.deployment" -}}
{{- $root := .root }}
{{- $v := .values }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "easel.componentName" . }}
  labels:
    {{- include "easel.componentLabels" . | nindent 4 }}
    {{- with .extraLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- if not (kindIs "invalid" .replicas) }}
  replicas: {{ .replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "easel.selectorLabels" . | nindent 6 }}
      {{- with .extraLabels }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
  template:
    metadata:
      labels:
        {{- include "easel.componentLabels" . | nindent 8 }}
        {{- with .extraLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- $annotations := merge (dict) ($v.podAnnotations | default dict) (include "easel.scrapeAnnotations" (dict "root" $root "values" $v) | fromYaml) }}
      {{- with $annotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "easel.serviceAccountName" . }}
      automountServiceAccountToken: {{ .apiToken | default false }}
      enableServiceLinks: false
      {{- with .terminationGracePeriodSeconds }}
      terminationGracePeriodSeconds: {{ . }}
      {{- end }}
      securityContext:
        {{- toYaml $v.podSecurityContext | nindent 8 }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "easel.image" (dict "root" $root "image" $v.image) }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          command: {{ toJson .command }}
          {{- with .ports }}
          ports:
            {{- . | trim | nindent 12 }}
          {{- end }}
          env:
            {{- include "easel.commonEnv" . | trim | nindent 12 }}
            {{- with .env }}
            {{- regexReplaceAll "\n\\s*\n" (trim .) "\n" | nindent 12 }}
            {{- end }}
            {{- with include "easel.extraEnv" $v.env | trim }}
            {{- . | nindent 12 }}
            {{- end }}
          {{- include "easel.probes" (dict "values" $v "port" .probePort "startupFailures" .startupFailures) | trim | nindent 10 }}
          resources:
            {{- toYaml (.resources | default $v.resources) | nindent 12 }}
          securityContext:
            {{- toYaml $v.securityContext | nindent 12 }}
          volumeMounts:
            {{- include "easel.commonVolumeMounts" $root | trim | nindent 12 }}
            {{- with .volumeMounts }}
            {{- . | trim | nindent 12 }}
            {{- end }}
      volumes:
        {{- include "easel.commonVolumes" . | trim | nindent 8 }}
        {{- with .volumes }}
        {{- . | trim | nindent 8 }}
        {{- end }}
{{- end }}

{{/* A component's ServiceAccount (dict root, component, values). IRSA: objectStore.irsaRoleArn on those that
     use the bucket (usesStore). */}}
{{- define "easel.serviceAccount" -}}
{{- if .values.serviceAccount.create }}
{{- $annotations := deepCopy (.values.serviceAccount.annotations | default dict) }}
{{- if and .usesStore .root.Values.objectStore.irsaRoleArn }}
{{- $_ := set $annotations "eks.amazonaws.com/role-arn" .root.Values.objectStore.irsaRoleArn }}
{{- end }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "easel.serviceAccountName" . }}
  labels:
    {{- include "easel.componentLabels" . | nindent 4 }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end }}

{{/* A component's PodDisruptionBudget (dict root, component, values, extraLabels). */}}
{{- define "easel.pdb" -}}
{{- if .values.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "easel.componentName" . }}
  labels:
    {{- include "easel.componentLabels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "easel.selectorLabels" . | nindent 6 }}
      {{- with .extraLabels }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
{{- end }}
{{- end }}

{{/* The metrics Service and ServiceMonitor of a service without an HTTP API (auth, registry, jobs). */}}
{{- define "easel.metricsService" -}}
{{- if .values.metrics.enabled }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "easel.componentName" . }}
  labels:
    {{- include "easel.componentLabels" . | nindent 4 }}
spec:
  type: ClusterIP
  {{- if .headless }}
  clusterIP: None
  {{- end }}
  selector:
    {{- include "easel.selectorLabels" . | nindent 4 }}
  ports:
    - name: metrics
      port: {{ .values.metrics.port }}
      targetPort: metrics
{{- end }}
{{- end }}

{{- define "easel.serviceMonitor" -}}
{{- $sm := .root.Values.monitoring.serviceMonitor }}
{{- if and $sm.enabled .values.metrics.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "easel.componentName" . }}
  labels:
    {{- include "easel.componentLabels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "easel.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: {{ .portName | default "metrics" }}
      path: /metrics
      interval: {{ $sm.interval }}
{{- end }}
{{- end }}

{{/* Ingress to a component's pods: only its metrics port, from metricsFrom (dict root, component, values,
     extraLabels, allow: extra rules as YAML). */}}
{{- define "easel.networkPolicy" -}}
{{- if .root.Values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "easel.componentName" . }}
  labels:
    {{- include "easel.componentLabels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "easel.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    {{- with .allow }}
    {{- . | nindent 4 }}
    {{- end }}
    {{- if .values.metrics.enabled }}
    - ports:
        - port: {{ .values.metrics.port }}
          protocol: TCP
      {{- with .root.Values.networkPolicy.metricsFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
{{- end }}
{{- end }}
