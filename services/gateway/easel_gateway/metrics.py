"""Prometheus metrics of the gateway."""

from prometheus_client import Counter, Gauge, Histogram

REQUEST_SECONDS = Histogram(
    "easel_http_request_duration_seconds", "Gateway request latency.", ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
# Every 429, by its error code (rate_limited, quota_exceeded, too_many_attempts), the limit it names
# (details.limit: requests_per_second, max_concurrent_jobs ...; "" for a sign-in lock) and the caller's tenant
# ("" before the caller is known), and every overload 503 (unavailable, limit max_inflight_submits). Tenants are a
# bounded set of teams; users are never a label.
REJECTIONS = Counter("easel_gateway_rejections_total",
                     "Requests refused by a limit (429, or 503 under overload), by error code, limit and tenant.",
                     ["code", "limit", "tenant"])
EVENT_STREAMS = Gauge("easel_gateway_event_streams", "Job event streams (SSE) this gateway holds open, by tenant.",
                      ["tenant"])
# Audit events never stored: the gateway's buffer was full while NATS did not take them (the oldest go first), or it
# stopped before NATS took them. Normally 0; anything else wants an alert.
AUDIT_DROPPED = Counter("easel_audit_dropped_total", "Audit events the gateway dropped before NATS stored them.")
