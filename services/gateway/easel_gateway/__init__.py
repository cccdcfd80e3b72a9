"""Easel's HTTP gateway."""
