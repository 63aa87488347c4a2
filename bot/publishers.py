"""Checking a publisher name (``ask --source``) against the stored articles."""

from __future__ import annotations

import difflib

from retrieval.common.errors import NewsbotError

# Known publishers listed in the error when none is close to the name given.
_LISTED = 8


def check_source(library, source: str | None) -> None:
    """Raise a :class:`NewsbotError` naming ``source`` when no stored article has that
    publisher (compared case-insensitively), suggesting the closest known ones."""
    if not source:
        return
    known = library.publishers()
    folded = {name.casefold(): name for name in known}
    if source.casefold() in folded:
        return
    message = f"--source {source!r}: no stored article is from that publisher"
    if not known:
        raise NewsbotError(f"{message} (no stored article names its publisher)")
    close = difflib.get_close_matches(source.casefold(), list(folded), n=3, cutoff=0.75)
    if close:
        raise NewsbotError(f"{message}; did you mean {_names([folded[c] for c in close])}?")
    more = f" and {len(known) - _LISTED} more (newsbot docs list)" if len(known) > _LISTED else ""
    raise NewsbotError(f"{message}; known publishers: {_names(known[:_LISTED])}{more}")


def _names(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)
