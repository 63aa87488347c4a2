"""Publication dates in the many spellings sources use, as ISO 8601."""

from __future__ import annotations

import email.utils
import time
from datetime import date, datetime, timezone
from typing import Any

# Date-only formats tried after ISO 8601 and RFC 2822.
_DATE_FORMATS = ("%Y/%m/%d", "%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y")


def normalize_date(value: Any) -> str | None:
    """``value`` as an ISO 8601 date or datetime, or ``None`` if unparseable.

    Accepts ISO 8601, RFC 2822 (``Tue, 05 Mar 2024 10:00:00 GMT``), a few
    common spelled-out forms, :class:`datetime`/:class:`date` objects and UTC
    :class:`time.struct_time` values as feedparser returns them.
    """
    if isinstance(value, time.struct_time):
        try:
            return datetime(*value[:6], tzinfo=timezone.utc).isoformat()
        except (ValueError, OverflowError):
            return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    for parse in (date.fromisoformat, datetime.fromisoformat, email.utils.parsedate_to_datetime):
        try:
            parsed = parse(value)
        except (ValueError, TypeError, IndexError, OverflowError):
            continue
        if parsed is not None:
            return parsed.isoformat()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None
