"""Loading a transformer without transformers' console output.

The first question (or ingest) exports a model to ONNX, which loads it with
transformers: its "Loading weights" progress bar and its report of checkpoint
weights a model does not use are nothing a newsbot user needs to read.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Errors only and no progress bars while inside; the previous settings after."""
    from transformers.utils import logging as hf_logging

    level, bar = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bar:
            hf_logging.enable_progress_bar()
