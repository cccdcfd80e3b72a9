"""Easel's jobs service."""
