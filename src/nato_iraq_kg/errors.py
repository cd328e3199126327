"""Errors that carry their exit code, so the CLI can say one clear line and stop.

The contract (documented in the README): 0 success, 1 a check failed (a quote does not match its
offsets, the shapes are violated), 2 unusable input (a missing or altered source, a malformed file).
"""

from __future__ import annotations


class KGError(Exception):
    """Base of every error the toolkit reports to a person; ``exit_code`` says how to exit."""

    exit_code = 2


class InputError(KGError):
    """Input that cannot be used at all: missing, unreadable, malformed, or altered."""

    exit_code = 2


class CheckFailure(KGError):
    """Input that is readable but states something the checks refuse (exit 1)."""

    exit_code = 1
