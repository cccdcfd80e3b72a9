"""Easel's auth service."""
