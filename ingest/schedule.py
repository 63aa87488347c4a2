"""Keeping a store current: repeated ingest cycles.

``newsbot ingest --watch FOLDER`` and ``newsbot ingest --every 15m FEED...``
run the same ingest again and again; the pipeline skips unchanged articles by
content hash, so a quiet cycle costs one read and hash per article.  In watch
mode, articles whose file was deleted from a watched folder are removed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from retrieval.common.errors import ConfigError
from retrieval.index.library import Library
from retrieval.index.records import Article

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """Seconds in ``"90"``, ``"30s"``, ``"15m"``, ``"1h"``, ``"1h30m"``."""
    cleaned = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", cleaned):
        seconds = float(cleaned)
    else:
        parts = re.findall(r"(\d+(?:\.\d+)?)([smhd])", cleaned)
        if not parts or "".join(n + u for n, u in parts) != cleaned:
            raise ConfigError(f"--every: cannot read the interval {text!r} (use e.g. 30s, 15m, 1h)")
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise ConfigError(f"--every: the interval must be positive (got {text!r})")
    return seconds


def missing_files(library: Library, folders: Iterable[Path]) -> list[Article]:
    """Stored articles read from under ``folders`` whose file no longer exists."""
    roots = [Path(f).resolve() for f in folders]
    gone = []
    for article in library.articles():
        if not article.path:
            continue
        path = Path(article.path)
        if any(path.is_relative_to(root) for root in roots) and not path.exists():
            gone.append(article)
    return gone
