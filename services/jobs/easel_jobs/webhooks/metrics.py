"""Prometheus metrics of webhook deliveries."""

from prometheus_client import Counter, Gauge

DELIVERIES = Counter("easel_webhook_attempts_total",
                     "Webhook delivery attempts by outcome: delivered, retry (failed, to be tried again), dead "
                     "(failed for the last time), dropped (not sent: the owner may no longer hear it).", ["outcome"])
# not a readiness check: jobs are dispatched all the same, only these webhooks' deliveries fail
UNOPENABLE = Gauge("easel_webhook_secrets_unopenable",
                   "Webhook signing secrets in use that no configured key opens (EASEL_WEBHOOK_SECRET_KEY, "
                   "EASEL_WEBHOOK_SECRET_OLD_KEYS), by kind: endpoints, callbacks. Their deliveries fail until the "
                   "key is configured or the secrets rotated. Counted at start and every EASEL_RETENTION_SWEEP_S.",
                   ["kind"])
