"""The project's exception tree: one root, a branch per stage."""

from __future__ import annotations


class C5watchError(Exception):
    """Root of every error the application raises on purpose."""


class ConfigError(C5watchError):
    """A setting is missing or invalid; the message names the variable."""


class UsageError(C5watchError, ValueError):
    """A command-line argument was refused; the message says why."""
