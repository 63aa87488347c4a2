"""Every setting's default, in one place.

``config.toml`` documents these values; ``bot/config.py`` checks and reads the
file against them; the library's constructors and settings dataclasses take
their defaults from here rather than repeating the literals.
"""

from __future__ import annotations

from typing import Any

BACKENDS = ("auto", "onnx", "torch")  # [embedding] backend and [judge] backend
LLM_PROVIDERS = ("none", "ollama", "openai")

DEFAULTS: dict[str, dict[str, Any]] = {
    "store": {
        "mode": "embedded",
        "path": ".newsbot/store",
        "collection": "news",
        "host": "localhost",
        "port": 8000,
        "ssl": False,
        "token_env": "CHROMA_AUTH_TOKEN",
        "token_header": "Authorization",
        "shard_chunks": 0,
    },
    "embedding": {
        "model": "all-MiniLM-L6-v2",
        "batch_size": 64,
        "device": "cpu",
        "threads": 0,
        "backend": "auto",
    },
    "chunking": {
        "size": 800,
        "overlap": 150,
    },
    "ingest": {
        "max_bytes": 20_000_000,
        "allow_urls": True,
        "allow_private": False,
        "timeout": 15.0,
        "max_redirects": 5,
        "user_agent": "newsbot/0.1 (+https://github.com/newsbot)",
        "batch_articles": 256,
        "max_title_chars": 300,
        "max_records": 10_000,
    },
    "retrieval": {
        "k": 6,
    },
    "judge": {
        "enabled": True,
        "model_dir": "",
        "backend": "auto",
        "threads": 0,
        "candidates": 24,
    },
    "llm": {
        "provider": "none",
        "model": "",
        "base_url": "",
        "api_key_env": "OPENAI_API_KEY",
        "temperature": 0.0,
        "max_tokens": 512,
        "timeout": 60.0,
        "max_retries": 1,
        "prompt_dir": "",
    },
    "discord": {
        "ingest_roles": [],
        "ingest_users": [],
        "ingest_guilds": [],
        "cooldown_seconds": 10.0,
        "max_concurrent": 4,
        "max_upload_bytes": 2_000_000,
        "history_turns": 6,
        "threads": True,
        "embeds": True,
        "guild_ids": [],
        "sync_commands": True,
    },
    "serve": {
        "host": "127.0.0.1",
        "port": 8080,
        "ingest_token_env": "NEWSBOT_API_TOKEN",
        "max_request_bytes": 2_000_000,
        "max_upload_files": 10,
        "rate_limit": 60,
        "cors_origins": [],
    },
    "eval": {
        "dir": "../shared/eval",
        "train_dir": "../shared/train",
        "sample_dir": "data/sample",
    },
}

# Shorthands for the library's signatures.
EMBEDDING = DEFAULTS["embedding"]
CHUNKING = DEFAULTS["chunking"]
INGEST = DEFAULTS["ingest"]
RETRIEVAL = DEFAULTS["retrieval"]
JUDGE = DEFAULTS["judge"]
LLM = DEFAULTS["llm"]
DISCORD = DEFAULTS["discord"]
SERVE = DEFAULTS["serve"]
