"""Fine-tuning at the gateway: a training request checked and turned into a spec (admit), its events for SSE."""
