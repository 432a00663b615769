"""Errors raised at the storage boundary."""

from __future__ import annotations


class StorageError(Exception):
    """A database operation failed; the message says which and why."""
