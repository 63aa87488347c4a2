# newsbot: `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test bench eval train install clean

install: $(STAMP)

# torch is pinned and installed first: the CPU wheel of torch 2.13.0 lies on
# these machines, while an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	# Export the embedding model to ONNX once, now rather than on the first question.
	$(BIN)/python -c "from bot.app import standalone_embedder; standalone_embedder().embed_query('warm up')"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsbot ingest data/sample
	$(BIN)/newsbot docs list
	$(BIN)/newsbot ask "Did the call happen?"

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Benchmarks, not tests: each prints a table of figures and ratios against a
# baseline measured in the same run (results also land in bench/out/).
# The benchmarks' LangChain baseline is the `bench` extra, installed once (like the install stamp).
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/ask_latency.py
	$(BIN)/python bench/discord_bench.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/serve_bench.py

eval: $(STAMP)
	$(BIN)/newsbot eval

# Rebuild the judgement model in retrieval/judge/weights from ../shared/train (seeded;
# about an hour on 2 cores). CI and `make test` never train: they use the shipped files.
train: $(STAMP)
	$(BIN)/python -m retrieval.judge.train

clean:
	rm -rf $(VENV) .newsbot *.egg-info
