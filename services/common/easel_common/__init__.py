"""Shared plumbing for Easel's processes (no torch here: the CPU services import it)."""
