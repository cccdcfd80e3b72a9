"""Trainings: the jobs service's records of fine-tuning runs, their launchers (local processes or Kubernetes Jobs),
their events, and registering their results as models (docs/architecture.md, "Fine-tuning")."""
