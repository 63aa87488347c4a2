"""Reading ``config.toml`` once, with environment overrides.

Every setting has a default and a check here.  ``NEWSBOT_<SECTION>_<KEY>``
overrides a key (``NEWSBOT_STORE_PATH=/tmp/x``).  An unknown key or a bad
value raises :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Mapping

from retrieval.common.errors import ConfigError

ENV_PREFIX = "NEWSBOT_"
# Environment variables of newsbot that are not config keys.
OTHER_ENV = frozenset({"NEWSBOT_CONFIG", "NEWSBOT_CACHE_DIR", "NEWSBOT_EVAL_DIR", "NEWSBOT_TRAIN_DIR",
                       "NEWSBOT_API_TOKEN"})


@dataclass(frozen=True)
class Key:
    """One setting: its type, default and an optional check."""

    type: type
    default: Any
    check: Callable[[Any], str | None] | None = None


def _positive(value: Any) -> str | None:
    return None if value > 0 else "must be greater than 0"


def _non_negative(value: Any) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"

    return check


def _port(value: Any) -> str | None:
    return None if 0 < value < 65536 else "must be a port number from 1 to 65535"


def _collection_name(value: Any) -> str | None:
    import re

    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,60}[A-Za-z0-9]", value):
        return None
    return "must be 3-62 letters, digits, dots, dashes or underscores, starting and ending alphanumeric"


def _non_empty(value: Any) -> str | None:
    return None if str(value).strip() else "must not be empty"


def _ids(value: Any) -> str | None:
    ok = all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    return None if ok else "must be a list of numeric Discord ids"


def _role_ids(value: Any) -> str | None:
    if _ids(value) is None:
        return None
    return "must be a list of numeric role ids (names are not accepted: any server can have a role of that name)"


SCHEMA: dict[str, dict[str, Key]] = {
    "store": {
        "mode": Key(str, "embedded", _one_of("embedded", "server")),
        "path": Key(str, ".newsbot/store", _non_empty),
        "collection": Key(str, "news", _collection_name),
        "host": Key(str, "localhost", _non_empty),
        "port": Key(int, 8000, _port),
        "ssl": Key(bool, False),
        "token_env": Key(str, "CHROMA_AUTH_TOKEN", _non_empty),
        "token_header": Key(str, "Authorization", _one_of("Authorization", "X-Chroma-Token")),
        "shard_chunks": Key(int, 0, _non_negative),
    },
    "embedding": {
        "model": Key(str, "all-MiniLM-L6-v2", _non_empty),
        "batch_size": Key(int, 64, _positive),
        "device": Key(str, "cpu", _non_empty),
        "threads": Key(int, 0, _non_negative),
        "backend": Key(str, "auto", _one_of("auto", "onnx", "torch")),
    },
    "chunking": {
        "size": Key(int, 800, _positive),
        "overlap": Key(int, 150, _non_negative),
    },
    "ingest": {
        "max_bytes": Key(int, 20_000_000, _positive),
        "allow_urls": Key(bool, True),
        "allow_private": Key(bool, False),
        "timeout": Key(float, 15.0, _positive),
        "max_redirects": Key(int, 5, _non_negative),
        "user_agent": Key(str, "newsbot/0.1 (+https://github.com/newsbot)", _non_empty),
        "batch_articles": Key(int, 256, _positive),
        "max_title_chars": Key(int, 300, _positive),
        "max_records": Key(int, 10_000, _positive),
    },
    "retrieval": {
        "k": Key(int, 6, _positive),
    },
    "judge": {
        "enabled": Key(bool, True),
        "model_dir": Key(str, ""),
        "backend": Key(str, "auto", _one_of("auto", "onnx", "torch")),
        "threads": Key(int, 0, _non_negative),
        "candidates": Key(int, 24, _positive),
    },
    "llm": {
        "provider": Key(str, "none", _one_of("none", "ollama", "openai")),
        "model": Key(str, ""),
        "base_url": Key(str, ""),
        "api_key_env": Key(str, "OPENAI_API_KEY", _non_empty),
        "temperature": Key(float, 0.0, _non_negative),
        "max_tokens": Key(int, 512, _positive),
        "timeout": Key(float, 60.0, _positive),
        "max_retries": Key(int, 1, _non_negative),
        "prompt_dir": Key(str, ""),
    },
    "discord": {
        "ingest_roles": Key(list, [], _role_ids),
        "ingest_users": Key(list, [], _ids),
        "ingest_guilds": Key(list, [], _ids),
        "cooldown_seconds": Key(float, 10.0, _non_negative),
        "max_concurrent": Key(int, 4, _positive),
        "max_upload_bytes": Key(int, 2_000_000, _positive),
        "history_turns": Key(int, 6, _non_negative),
        "threads": Key(bool, True),
        "embeds": Key(bool, True),
        "guild_ids": Key(list, [], _ids),
        "sync_commands": Key(bool, True),
    },
    "serve": {
        "host": Key(str, "127.0.0.1", _non_empty),
        "port": Key(int, 8080, _port),
        "ingest_token_env": Key(str, "NEWSBOT_API_TOKEN", _non_empty),
        "max_request_bytes": Key(int, 2_000_000, _positive),
        "max_upload_files": Key(int, 10, _positive),
        "rate_limit": Key(int, 60, _non_negative),
        "cors_origins": Key(list, []),
    },
}


class Config(SimpleNamespace):
    """Settings by section: ``config.store.path``."""

    source: Path | None


def _coerce(section: str, name: str, key: Key, value: Any, from_env: bool) -> Any:
    label = f"[{section}] {name}"
    if from_env:
        label = f"{ENV_PREFIX}{section.upper()}_{name.upper()}"
        value = _parse_env(label, key, value)
    if key.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, key.type) or (key.type is int and isinstance(value, bool)):
        raise ConfigError(f"{label}: expected {key.type.__name__}, got {value!r}")
    if key.check and (problem := key.check(value)):
        raise ConfigError(f"{label}: {problem} (got {value!r})")
    return list(value) if key.type is list else value  # never share the default list


def _parse_env(label: str, key: Key, raw: str) -> Any:
    if key.type is str:
        return raw
    if key.type is list:  # comma-separated; all-digit items are ids
        items = [item.strip() for item in raw.split(",") if item.strip()]
        return [int(item) if item.isdigit() else item for item in items]
    if key.type is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{label}: expected true or false, got {raw!r}")
    try:
        return key.type(raw)
    except ValueError:
        raise ConfigError(f"{label}: expected {key.type.__name__}, got {raw!r}") from None


def default_config_path() -> Path | None:
    """``$NEWSBOT_CONFIG``, else ``./config.toml`` when it exists."""
    env = os.environ.get("NEWSBOT_CONFIG")
    if env:
        return Path(env)
    here = Path("config.toml")
    return here if here.is_file() else None


def load_config(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the file (or defaults only when there is none) and apply the environment."""
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None

    for section, values in data.items():
        if section not in SCHEMA:
            raise ConfigError(f"unknown section [{section}] in {path}")
        if not isinstance(values, dict):
            raise ConfigError(f"[{section}] in {path} must be a table")
        for name in values:
            if name not in SCHEMA[section]:
                raise ConfigError(f"unknown key [{section}] {name} in {path}")

    base = path.parent.resolve() if path is not None else Path.cwd()
    sections = {}
    for section, keys in SCHEMA.items():
        values = {}
        for name, key in keys.items():
            env_name = f"{ENV_PREFIX}{section.upper()}_{name.upper()}"
            if env_name in environ:
                value = _coerce(section, name, key, environ[env_name], from_env=True)
                rel_base = Path.cwd()
            else:
                value = _coerce(section, name, key, data.get(section, {}).get(name, key.default), False)
                rel_base = base
            if (section, name) == ("store", "path"):
                value = (rel_base / Path(value).expanduser()).resolve()
            elif (section, name) == ("llm", "prompt_dir") and value:
                value = str((rel_base / Path(value).expanduser()).resolve())
            values[name] = value
        sections[section] = SimpleNamespace(**values)

    known = {f"{ENV_PREFIX}{s.upper()}_{k.upper()}" for s, ks in SCHEMA.items() for k in ks}
    for name in environ:
        if name.startswith(ENV_PREFIX) and name not in OTHER_ENV and name not in known:
            raise ConfigError(f"unknown setting {name} in the environment")

    llm = sections["llm"]
    if llm.provider != "none" and not llm.model.strip():
        raise ConfigError(f"[llm] model: provider {llm.provider!r} needs a model name")
    if sections["chunking"].overlap >= sections["chunking"].size:
        raise ConfigError("[chunking] overlap: must be smaller than [chunking] size")
    return Config(source=path, **sections)
