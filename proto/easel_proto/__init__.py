"""Easel's wire contracts: message types, NATS names and the error hierarchy."""

from easel_proto.errors import EaselError
from easel_proto.naming import Names

__all__ = ["EaselError", "Names"]
