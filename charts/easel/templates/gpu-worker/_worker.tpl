{{/* One pool's worker Deployment (dict root, pool: the pool's entry of workers.pools). The pool controller
     gets the same for its template pool (pool-template.yaml): chart and controller render one template. */}}
{{- define "easel.workerDeployment" -}}
{{- $root := .root }}
{{- $w := .root.Values.workers }}
{{- $pool := include "easel.pool" (dict "root" $root "pool" .pool) | fromJson }}
{{- $values := deepCopy (omit $w "pools") }}
{{- range $k, $v := $pool }}
{{- $_ := set $values $k $v }}
{{- end }}
{{- $env := list
  (dict "name" "EASEL_POOL" "value" $pool.name)
  (dict "name" "EASEL_ENGINE" "value" $pool.engine)
  (dict "name" "EASEL_SHUTDOWN_GRACE_S" "value" (toString $w.shutdownGraceSeconds))
  (dict "name" "EASEL_MODEL_CACHE_DIR" "value" "/var/cache/easel/models")
  (dict "name" "EASEL_CACHE_BUDGET_BYTES" "value" (toString (mul (div (mul (int64 $pool.modelCache.sizeGi) 9) 10) 1073741824)))
  (dict "name" "EASEL_PRELOAD_MODELS" "value" (toJson ($pool.preloadModels | default list))) }}
{{- $mounts := list (dict "name" "model-cache" "mountPath" "/var/cache/easel/models") }}
{{- $cache := dict "name" "model-cache" }}
{{- if eq $pool.modelCache.type "ephemeral" }}
{{- $claim := dict "accessModes" (list "ReadWriteOnce") "resources" (dict "requests" (dict "storage" (printf "%dGi" (int $pool.modelCache.sizeGi)))) }}
{{- with $pool.modelCache.storageClassName }}
{{- $_ := set $claim "storageClassName" . }}
{{- end }}
{{- $_ := set $cache "ephemeral" (dict "volumeClaimTemplate" (dict "spec" $claim)) }}
{{- else }}
{{- $_ := set $cache "emptyDir" (dict "sizeLimit" (printf "%dGi" (int $pool.modelCache.sizeGi))) }}
{{- end }}
{{- $volumes := list $cache }}
{{- with $pool.modelConfig.volume }}
{{- $env = append $env (dict "name" "EASEL_MODEL_CONFIG_DIR" "value" $pool.modelConfig.mountPath) }}
{{- $volumes = append $volumes (merge (dict "name" "model-configs") .) }}
{{- $mounts = append $mounts (dict "name" "model-configs" "mountPath" $pool.modelConfig.mountPath "readOnly" true) }}
{{- end }}
{{- $speed := $pool.speed | default dict }}
{{- $env = concat $env (list
  (dict "name" "EASEL_COMPILE" "value" ($speed.compile | default "auto"))
  (dict "name" "EASEL_MEMORY_MODE" "value" ($speed.memoryMode | default "auto"))
  (dict "name" "EASEL_DTYPE" "value" ($speed.dtype | default "auto"))
  (dict "name" "EASEL_XFORMERS" "value" (toString ($speed.xformers | default false)))
  (dict "name" "EASEL_COMPILE_CACHE_STORE" "value" (toString ($speed.compileCacheStore | default false)))) }}
{{- $batching := $pool.batching | default dict }}
{{- $env = concat $env (list
  (dict "name" "EASEL_BATCH_MAX_JOBS" "value" (toString ($batching.maxJobs | default 1)))
  (dict "name" "EASEL_BATCH_MAX_IMAGES" "value" (toString ($batching.maxImages | default 16)))
  (dict "name" "EASEL_BATCH_WAIT_MS" "value" (toString ($batching.waitMs | default 50)))) }}
{{- with $speed.compileCacheVolume }}
{{- $env = append $env (dict "name" "EASEL_COMPILE_CACHE_DIR" "value" "/var/cache/easel/compiled") }}
{{- $volumes = append $volumes (merge (dict "name" "compile-cache") .) }}
{{- $mounts = append $mounts (dict "name" "compile-cache" "mountPath" "/var/cache/easel/compiled") }}
{{- end }}
{{- $resources := deepCopy ($pool.resources | default dict) }}
{{- if gt (int $pool.gpu.count) 0 }}
{{- $limits := merge (dict $pool.gpu.resource (int $pool.gpu.count)) ($resources.limits | default dict) }}
{{- $_ := set $resources "limits" $limits }}
{{- end }}
{{ include "easel.deployment" (dict
  "root" $root "component" "gpu-worker" "nameSuffix" (printf "worker-%s" $pool.name)
  "identity" (printf "worker-%s" $pool.name) "values" $values
  "replicas" (ternary nil (int $pool.replicaCount) $pool.autoscaling.enabled)
  "extraLabels" (dict "easel.dev/pool" $pool.name)
  "command" (list "easel-worker") "probePort" "metrics" "startupFailures" 120
  "terminationGracePeriodSeconds" (add $w.shutdownGraceSeconds $w.terminationGraceMarginSeconds)
  "resources" $resources
  "ports" (toYaml (list (dict "name" "metrics" "containerPort" $w.metrics.port "protocol" "TCP")))
  "env" (printf "%s\n%s" (toYaml $env) (include "easel.objectStoreEnv" $root))
  "volumes" (toYaml $volumes) "volumeMounts" (toYaml $mounts)) }}
{{- end }}

{{/* One pool's KEDA ScaledObject (dict root, pool), whatever its autoscaling.enabled says. */}}
{{- define "easel.workerScaledObject" -}}
{{- $root := .root }}
{{- $pool := include "easel.pool" (dict "root" $root "pool" .pool) | fromJson }}
{{- $a := $pool.autoscaling }}
{{- $ctx := dict "root" $root "component" "gpu-worker" "nameSuffix" (printf "worker-%s" $pool.name) }}
{{- if lt (int $a.maxReplicaCount) (int $a.minReplicaCount) }}
{{- fail (printf "workers.pools[%s].autoscaling: maxReplicaCount %d is below minReplicaCount %d" $pool.name (int $a.maxReplicaCount) (int $a.minReplicaCount)) }}
{{- end }}
# KEDA scales the pool on the backlog of its JetStream consumer: the jobs service creates worker-{{ $pool.name }}
# at start-up, so a pool at zero still has one to read.
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include "easel.componentName" $ctx }}
  labels:
    {{- include "easel.componentLabels" $ctx | nindent 4 }}
    easel.dev/pool: {{ $pool.name }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "easel.componentName" $ctx }}
  pollingInterval: {{ int $a.pollingInterval }}
  cooldownPeriod: {{ int $a.cooldownPeriod }}
  minReplicaCount: {{ int $a.minReplicaCount }}
  maxReplicaCount: {{ int $a.maxReplicaCount }}
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleUp:
          # docs/scaling.md: bursts that are over before a GPU node is up start no node (the policies stay the
          # HPA's own, max(4 pods, 100%) per 15 s)
          stabilizationWindowSeconds: {{ int $a.scaleUpStabilizationSeconds }}
  triggers:
    - type: nats-jetstream
      metadata:
        natsServerMonitoringEndpoint: {{ include "easel.natsMonitoringEndpoint" $root | quote }}
        # Easel's identities are users of the global account
        account: "$G"
        stream: {{ include "easel.jobsStream" $root | quote }}
        consumer: {{ printf "worker-%s" $pool.name | quote }}
        lagThreshold: {{ $a.lagThreshold | toString | quote }}
        activationLagThreshold: {{ $a.activationLagThreshold | toString | quote }}
        useHttps: "false"
    # The lag above misses the jobs cache-aware dispatch sends to an idle worker's own queue, and the jobs running
    # from there. The jobs service counts every queued and running job of the pool (GET /pools on its metrics
    # port); the HPA follows whichever trigger asks for more workers.
    - type: metrics-api
      metricType: AverageValue
      metadata:
        url: {{ include "easel.poolDemandUrl" $root | quote }}
        valueLocation: {{ printf "pools.%s.demand" $pool.name | quote }}
        targetValue: {{ $a.lagThreshold | toString | quote }}
        activationTargetValue: {{ $a.activationLagThreshold | toString | quote }}
{{- end }}
