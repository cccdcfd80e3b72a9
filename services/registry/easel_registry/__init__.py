"""Easel's model registry service."""
