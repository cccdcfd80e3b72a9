"""Prometheus metrics of webhook deliveries."""

from prometheus_client import Counter

DELIVERIES = Counter("easel_webhook_attempts_total",
                     "Webhook delivery attempts by outcome: delivered, retry (failed, to be tried again), dead "
                     "(failed for the last time), dropped (not sent: the owner may no longer hear it).", ["outcome"])
