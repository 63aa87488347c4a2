"""Running the judgement model: ``Judge.judge(pairs) -> [Judgement]``.

The shipped files (``weights/judge.safetensors`` and ``weights/judge.json``) hold
only the trained upper layers and the head; the lower layers come from the
packaged all-MiniLM-L6-v2.  The first use builds the whole network with torch,
exports it once to ONNX under the cache folder (checked against torch: the
largest probability difference on sample pairs must stay under 1e-3) and from
then on runs it with onnxruntime and the ``tokenizers`` tokenizer, importing
neither torch nor transformers.  ``backend="torch"`` skips the export.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from retrieval.common.defaults import BACKENDS, EMBEDDING, JUDGE
from retrieval.common.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "weights"
_EXPORT_VERSION = 1
_MAX_DIFF = 1e-3
_CHECK_PAIRS = (
    ("Did the call happen?", "The Washington Post reported that Trump and Putin spoke by phone on Sunday."),
    ("Did the call happen?", "Peskov called the report simply false information."),
    ("Who won the cup?", "The bike lanes will open in spring, the council said."),
    ("How many jobs will be cut?", "The company said it does not have plans to cut jobs at the plant."),
)


@dataclass(frozen=True)
class Judgement:
    """The model's reading of one passage against one question or claim."""

    supports: float  # probabilities of the three stances (they sum to 1)
    contradicts: float
    neutral: float
    answers: float  # probability that the passage answers the question

    @property
    def stance(self) -> str:
        """``supports``, ``contradicts`` or ``neutral``: the likeliest stance."""
        best = max(self.supports, self.contradicts, self.neutral)
        if best == self.supports:
            return "supports"
        return "contradicts" if best == self.contradicts else "neutral"


def _softmax_sigmoid(row) -> Judgement:
    import math

    top = max(row[0], row[1], row[2])
    e = [math.exp(float(v) - top) for v in row[:3]]
    s = sum(e)
    return Judgement(e[0] / s, e[1] / s, e[2] / s, 1.0 / (1.0 + math.exp(-float(row[3]))))


class Judge:
    """Judges (question, passage) pairs; loads lazily, on the first batch."""

    def __init__(
        self,
        *,
        weights: Path | None = None,
        base_model: str = EMBEDDING["model"],
        cache_dir: Path | None = None,
        backend: str = JUDGE["backend"],
        threads: int = JUDGE["threads"],
        batch_size: int = 32,
        offline: bool = True,
    ) -> None:
        """``cache_dir`` holds the ONNX export (``default_cache_dir()`` of
        ``retrieval.index.embeddings`` when ``None``); ``offline`` loads local files only."""
        if backend not in BACKENDS:
            raise ConfigError(f"judge.backend: must be one of {', '.join(BACKENDS)}, not {backend!r}")
        self.weights = Path(weights) if weights else DEFAULT_WEIGHTS
        self.base_model = base_model
        self.cache_dir = cache_dir
        self.backend = backend
        self.threads = threads
        self.batch_size = batch_size
        self.offline = offline
        self.active_backend: str | None = None
        self._runner: Any = None
        self._lock = threading.Lock()
        # One batch at a time: on a CPU, concurrent runs add no speed, and each holds its
        # own buffers (a server's threads would multiply the memory).
        self._run_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Judge({str(self.weights)!r}, backend={self.active_backend or self.backend!r})"

    # -- loading ---------------------------------------------------------------
    def _base_dir(self) -> Path:
        from retrieval.index.embeddings import resolve_model

        path = Path(resolve_model(self.base_model))
        if not path.is_dir():
            raise ConfigError(f"judge: the base model {self.base_model!r} is not a local folder")
        return path

    def _meta(self) -> dict:
        try:
            return json.loads((self.weights / "judge.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"judge: no judgement model in {self.weights} (judge.json is missing)") from None

    @property
    def runner(self) -> Any:
        if self._runner is None:
            with self._lock:
                if self._runner is None:
                    self._runner = self._load()
        return self._runner

    def warm(self) -> None:
        """Load the model now rather than on the first question."""
        self.judge([_CHECK_PAIRS[0]])

    def _load(self) -> Any:
        meta = self._meta()
        base = self._base_dir()
        if self.backend in ("auto", "onnx"):
            try:
                path = self._ensure_onnx(base, meta)
                runner = _OnnxRunner(path, base, meta, self.threads)
            except Exception as exc:
                if self.backend == "onnx":
                    raise ConfigError(f"judge.backend: cannot run the judge with onnx ({exc})") from exc
                log.info("onnx judge unavailable (%s); using torch", exc)
            else:
                self.active_backend = "onnx"
                return runner
        self.active_backend = "torch"
        return _TorchRunner(base, self.weights, meta, self.threads, self.offline)

    def _cache_path(self, base: Path) -> Path:
        from retrieval.index.embeddings import default_cache_dir

        h = hashlib.sha256(f"judge-v{_EXPORT_VERSION}\0{base.resolve()}".encode())
        for f in sorted(self.weights.iterdir()):
            if f.is_file():
                h.update(f"\0{f.name}\0".encode())
                h.update(hashlib.sha256(f.read_bytes()).digest())
        root = Path(self.cache_dir) if self.cache_dir else default_cache_dir()
        return root / "judge" / h.hexdigest()[:24] / "judge.onnx"

    def _ensure_onnx(self, base: Path, meta: dict) -> Path:
        target = self._cache_path(base)
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"judge.onnx.tmp{os.getpid()}")
        try:
            torch_runner = _TorchRunner(base, self.weights, meta, self.threads, self.offline)
            torch_runner.export(tmp)
            want = torch_runner.logits(list(_CHECK_PAIRS))
            got = _OnnxRunner(tmp, base, meta, self.threads).logits(list(_CHECK_PAIRS))
            diff = max(
                abs(getattr(_softmax_sigmoid(a), f) - getattr(_softmax_sigmoid(b), f))
                for a, b in zip(want, got) for f in ("supports", "contradicts", "neutral", "answers")
            )
            if diff > _MAX_DIFF:
                raise ValueError(f"the onnx export differs from torch (probability difference {diff:.4f})")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        log.info("exported the judge to %s", target)
        return target

    # -- the one call ------------------------------------------------------------
    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        """One :class:`Judgement` per (question or claim, passage) pair, in order."""
        pairs = [(str(q), str(p)) for q, p in pairs]
        if not pairs:
            return []
        out: list[Judgement | None] = [None] * len(pairs)
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        for s in range(0, len(order), self.batch_size):
            idx = order[s:s + self.batch_size]
            runner = self.runner
            with self._run_lock:
                rows = runner.logits([pairs[i] for i in idx])
            for i, row in zip(idx, rows):
                out[i] = _softmax_sigmoid(row)
        return out  # type: ignore[return-value]


class _OnnxRunner:
    def __init__(self, path: Path, base: Path, meta: dict, threads: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=int(meta.get("max_length", 128)),
                                         strategy="longest_first")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Batches of every length, from many threads at once (a server): without these the
        # arena keeps a block per shape and thread, and a busy server grew 2.4x in memory.
        options.enable_cpu_mem_arena = False
        options.enable_mem_pattern = False
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def logits(self, pairs: list[tuple[str, str]]):
        import numpy as np

        encs = self.tokenizer.encode_batch(pairs, add_special_tokens=True)
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for r, e in enumerate(encs):
            n = len(e.ids)
            ids[r, :n], mask[r, :n], types[r, :n] = e.ids, 1, e.type_ids
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]


class _TorchRunner:
    def __init__(self, base: Path, weights: Path, meta: dict, threads: int, offline: bool = True) -> None:
        import torch
        from transformers import AutoTokenizer

        from retrieval.judge import net

        if threads:
            torch.set_num_threads(threads)
        self.max_length = int(meta.get("max_length", 128))
        self.tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=offline)
        self.net, _ = net.load(str(base), weights)

    def _encode(self, pairs):
        return self.tokenizer([q for q, _ in pairs], [p for _, p in pairs], padding=True,
                              truncation="longest_first", max_length=self.max_length, return_tensors="pt")

    def logits(self, pairs: list[tuple[str, str]]):
        import torch

        enc = self._encode(pairs)
        with torch.no_grad():
            return self.net(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]).numpy()

    def export(self, path: Path) -> None:
        import warnings

        import torch

        enc = self._encode(list(_CHECK_PAIRS[:2]))
        axes = {0: "batch", 1: "tokens"}
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                self.net, (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]), str(path),
                dynamo=False, input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["logits"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                              "logits": {0: "batch"}},
                opset_version=17,
            )
