"""Bytes to text: byte order marks, declared charsets, and guessed encodings.

Text is decoded by the first of: a byte order mark (UTF-8, UTF-16, UTF-32),
a charset the server or the page declares, strict UTF-8, and an encoding
guessed by charset-normalizer.  Only a guess gets a warning; a BOM or a
declaration is trusted.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Longest prefixes first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# When a short text reads the same in several 8-bit encodings, the one most
# legacy Western text is in wins.
_PREFERRED_GUESS = "cp1252"
# Fewer non-ASCII bytes than this, in a text of no recognised language, are not
# enough to guess an encoding from: they are replaced instead.
_MIN_EVIDENCE_BYTES = 8

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte order mark at the start of ``data`` names, if any."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def looks_binary(data: bytes) -> bool:
    """Whether ``data`` is binary: a NUL byte, or many control characters.

    Text behind a UTF-16 or UTF-32 byte order mark is full of NUL bytes and is
    still text.
    """
    if bom_encoding(data) in ("utf-16", "utf-32"):
        return False
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f\v\x1b\x08")
    return controls > len(sample) * 0.1


def codec_name(encoding: str) -> str:
    """The usual spelling of an encoding name: ``koi8_r`` -> ``koi8-r``."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def guess_encoding(data: bytes) -> str | None:
    """The encoding charset-normalizer finds most plausible for ``data``, or ``None``.

    ``None`` too when a handful of stray bytes in a text no language was
    recognised in leave too little to go on.
    """
    results = from_bytes(data)
    best = results.best()
    if best is None:
        return None
    for result in results:
        as_good = result.chaos <= best.chaos and result.coherence >= best.coherence
        if as_good and _PREFERRED_GUESS in result.could_be_from_charset:
            return _PREFERRED_GUESS
    if not best.coherence and sum(byte > 127 for byte in data[:65536]) < _MIN_EVIDENCE_BYTES:
        return None
    return best.encoding


def decode(data: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode text: its BOM, the declared charset, UTF-8, else a guessed encoding.

    Returns the text and the warnings to attach to its articles.
    """
    bom = bom_encoding(data)
    if bom:
        try:
            return data.decode(bom).lstrip("\ufeff"), []
        except UnicodeDecodeError:
            return data.decode(bom, errors="replace").lstrip("\ufeff"), [
                f"not valid {codec_name(bom)} despite its byte order mark; undecodable bytes replaced"
            ]
    if declared:
        try:
            return data.decode(declared), []
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    guessed = guess_encoding(data)
    if guessed:
        try:
            return data.decode(guessed), [f"not valid UTF-8; decoded as {codec_name(guessed)} (guessed)"]
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("utf-8", errors="replace"), ["not valid UTF-8; undecodable bytes replaced"]


def meta_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
