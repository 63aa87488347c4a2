"""The one error hierarchy of newsbot.

Every error a user can cause (bad configuration, a bad source, a store that
cannot be opened) is a :class:`NewsbotError`.  The edges (CLI, REPL, Discord)
turn it into a short, friendly message; anything else is a bug.
"""

from __future__ import annotations


class NewsbotError(Exception):
    """Base class of every error meant to be shown to a user."""


class ConfigError(NewsbotError):
    """A configuration key is unknown or its value is bad."""


class SourceError(NewsbotError):
    """One ingest source could not be read.  The message names the source."""

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class FetchError(SourceError):
    """A URL could not be fetched (refused, unreachable, too big, too slow)."""


class StoreError(NewsbotError):
    """The store cannot be opened or used."""


class StoreLockedError(StoreError):
    """Another process is writing to the same embedded store."""


class ModelMismatchError(StoreError):
    """The store was built with another embedding model."""


class NotFoundError(NewsbotError):
    """An article id that is not in the store."""
