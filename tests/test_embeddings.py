"""The embedding backends: onnx reproduces torch, the export is cached, the load stays lazy."""

import numpy as np
import pytest

from retrieval.index.embeddings import SentenceEmbedder, onnx_cache_dir, resolve_model
from retrieval.common.errors import ConfigError

TEXTS = [
    "Kremlin denies Putin and Trump spoke on the phone.",
    "Storms are expected over the coast on Friday. Ferries may be cancelled.",
    "x",
    " ".join(["The census counted 3,559 people in 1,575 households."] * 40),  # > 256 tokens
]


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def cache(cache_root):
    """A model cache of this module's own (the export happens once, in the first test)."""
    return cache_root


def test_onnx_vectors_match_torch(cache, capfd):
    onnx = SentenceEmbedder(backend="onnx", cache_dir=cache)
    torch = SentenceEmbedder(backend="torch", cache_dir=cache)
    a, b = onnx.encode(TEXTS), torch.encode(TEXTS)
    # the export (the first use) and the torch load print nothing of transformers' own
    out, err = capfd.readouterr()
    assert "Loading weights" not in out + err
    assert onnx.active_backend == "onnx" and torch.active_backend == "torch"
    assert a.dtype == np.float32 and a.shape == b.shape == (len(TEXTS), 384)
    assert (a * b).sum(axis=1).min() >= 0.999
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_export_is_cached_and_reused_without_torch(cache):
    from pathlib import Path

    SentenceEmbedder(backend="onnx", cache_dir=cache).embed_query("warm up")
    target = onnx_cache_dir(Path(resolve_model("all-MiniLM-L6-v2")), cache) / "model.onnx"
    assert target.is_file() and str(target).startswith(str(cache))
    stamp = target.stat().st_mtime_ns
    SentenceEmbedder(backend="onnx", cache_dir=cache).embed_query("again")
    assert target.stat().st_mtime_ns == stamp


def test_auto_picks_onnx_and_loads_lazily(cache):
    emb = SentenceEmbedder(cache_dir=cache)
    assert emb.active_backend is None and emb._model is None
    emb.embed_query("hello")
    assert emb.active_backend == "onnx" and emb.dimension == 384


def test_unknown_backend_is_a_config_error():
    with pytest.raises(ConfigError, match="embedding.backend"):
        SentenceEmbedder(backend="tensorflow")


def test_empty_input_gives_an_empty_matrix(cache):
    assert SentenceEmbedder(backend="onnx", cache_dir=cache).encode([]).shape == (0, 384)


def test_the_app_picks_the_cache_folder_from_the_environment(tmp_path, monkeypatch):
    """$NEWSBOT_CACHE_DIR, else newsbot in $XDG_CACHE_HOME, reaches both models; offline by default."""
    from bot.app import App
    from bot.config import load_config

    monkeypatch.setenv("NEWSBOT_CACHE_DIR", str(tmp_path / "mine"))
    app = App(load_config(None, environ={}))
    assert app.embedder.cache_dir == app.judge.cache_dir == tmp_path / "mine"
    assert app.embedder.offline and app.judge.offline

    monkeypatch.delenv("NEWSBOT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    app = App(load_config(None, environ={}))
    assert app.embedder.cache_dir == app.judge.cache_dir == tmp_path / "xdg" / "newsbot"
    assert not app.embedder.offline and not app.judge.offline
