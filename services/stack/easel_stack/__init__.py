"""Easel's embedded stack: the production services, run on one machine."""
