"""Sentence-aware chunking with overlap.

Sentences (from :func:`retrieval.common.text.sentence_spans`) are packed into chunks
of at most ``size`` characters; each chunk after the first starts with the
last sentences of the previous one, up to ``overlap`` characters.  A sentence
longer than ``size`` is cut at word boundaries.  Every chunk is a verbatim
slice ``text[start:end]`` of the article.
"""

from __future__ import annotations

from retrieval.common.text import Span, sentence_spans


def chunk_spans(text: str, size: int, overlap: int) -> list[tuple[int, int]]:
    """Character spans of the chunks of ``text``."""
    pieces = _pieces(text, size)
    chunks: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        start = pieces[i].start
        j = i
        while j + 1 < len(pieces) and pieces[j + 1].end - start <= size:
            j += 1
        chunks.append((start, pieces[j].end))
        if j + 1 >= len(pieces):
            break
        # Step back over trailing sentences that fit in the overlap, but
        # always move forward by at least one piece.
        k = j
        while k > i + 1 and pieces[j].end - pieces[k].start <= overlap:
            k -= 1
        nxt = k + 1 if pieces[j].end - pieces[k].start > overlap else k
        nxt = max(nxt, i + 1)
        # The overlap must leave room for the next sentence.
        while nxt <= j and pieces[j + 1].end - pieces[nxt].start > size:
            nxt += 1
        i = nxt
    return chunks


def _pieces(text: str, size: int) -> list[Span]:
    """Sentences, with any sentence longer than ``size`` cut into words runs."""
    out: list[Span] = []
    for span in sentence_spans(text):
        if span.end - span.start <= size:
            out.append(span)
            continue
        start = span.start
        while span.end - start > size:
            cut = text.rfind(" ", start + 1, start + size)
            if cut <= start:
                cut = start + size
            out.append(Span(start, cut, text[start:cut]))
            start = cut
            while start < span.end and text[start].isspace():
                start += 1
        if start < span.end:
            out.append(Span(start, span.end, text[start:span.end]))
    return out
