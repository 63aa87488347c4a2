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

from retrieval.common.defaults import BACKENDS, DEFAULTS, LLM_PROVIDERS
from retrieval.common.errors import ConfigError

ENV_PREFIX = "NEWSBOT_"
# Environment variables of newsbot that are not config keys.
OTHER_ENV = frozenset({"NEWSBOT_CONFIG", "NEWSBOT_CACHE_DIR", "NEWSBOT_TRAIN_DIR", "NEWSBOT_API_TOKEN"})
# Older names of config keys, still read: NEWSBOT_TRAIN_DIR sets [eval] train_dir.
ENV_ALIASES = {"NEWSBOT_EVAL_TRAIN_DIR": "NEWSBOT_TRAIN_DIR"}
# Keys holding a folder: relative to the config file's folder (to the working directory
# when set from the environment or when there is no file).
PATH_KEYS = {("store", "path"), ("eval", "dir"), ("eval", "train_dir"), ("eval", "sample_dir")}


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


def _keys(section: str, specs: dict[str, tuple]) -> dict[str, Key]:
    """A section's keys: each ``(type, check)`` with its default from ``DEFAULTS``."""
    if specs.keys() != DEFAULTS[section].keys():
        raise ValueError(f"[{section}]: the keys checked and the defaults differ")
    return {name: Key(spec[0], DEFAULTS[section][name], *spec[1:]) for name, spec in specs.items()}


SCHEMA: dict[str, dict[str, Key]] = {
    "store": _keys("store", {
        "mode": (str, _one_of("embedded", "server")),
        "path": (str, _non_empty),
        "collection": (str, _collection_name),
        "host": (str, _non_empty),
        "port": (int, _port),
        "ssl": (bool,),
        "token_env": (str, _non_empty),
        "token_header": (str, _one_of("Authorization", "X-Chroma-Token")),
        "shard_chunks": (int, _non_negative),
    }),
    "embedding": _keys("embedding", {
        "model": (str, _non_empty),
        "batch_size": (int, _positive),
        "device": (str, _non_empty),
        "threads": (int, _non_negative),
        "backend": (str, _one_of(*BACKENDS)),
    }),
    "chunking": _keys("chunking", {
        "size": (int, _positive),
        "overlap": (int, _non_negative),
    }),
    "ingest": _keys("ingest", {
        "max_bytes": (int, _positive),
        "allow_urls": (bool,),
        "allow_private": (bool,),
        "timeout": (float, _positive),
        "max_redirects": (int, _non_negative),
        "user_agent": (str, _non_empty),
        "batch_articles": (int, _positive),
        "max_title_chars": (int, _positive),
        "max_records": (int, _positive),
    }),
    "retrieval": _keys("retrieval", {
        "k": (int, _positive),
    }),
    "judge": _keys("judge", {
        "enabled": (bool,),
        "model_dir": (str,),
        "backend": (str, _one_of(*BACKENDS)),
        "threads": (int, _non_negative),
        "candidates": (int, _positive),
    }),
    "llm": _keys("llm", {
        "provider": (str, _one_of(*LLM_PROVIDERS)),
        "model": (str,),
        "base_url": (str,),
        "api_key_env": (str, _non_empty),
        "temperature": (float, _non_negative),
        "max_tokens": (int, _positive),
        "timeout": (float, _positive),
        "max_retries": (int, _non_negative),
        "prompt_dir": (str,),
    }),
    "discord": _keys("discord", {
        "ingest_roles": (list, _role_ids),
        "ingest_users": (list, _ids),
        "ingest_guilds": (list, _ids),
        "cooldown_seconds": (float, _non_negative),
        "max_concurrent": (int, _positive),
        "max_upload_bytes": (int, _positive),
        "history_turns": (int, _non_negative),
        "threads": (bool,),
        "embeds": (bool,),
        "guild_ids": (list, _ids),
        "sync_commands": (bool,),
    }),
    "serve": _keys("serve", {
        "host": (str, _non_empty),
        "port": (int, _port),
        "ingest_token_env": (str, _non_empty),
        "max_request_bytes": (int, _positive),
        "max_upload_files": (int, _positive),
        "rate_limit": (int, _non_negative),
        "cors_origins": (list,),
    }),
    "eval": _keys("eval", {
        "dir": (str, _non_empty),
        "train_dir": (str, _non_empty),
        "sample_dir": (str, _non_empty),
    }),
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
            alias = ENV_ALIASES.get(env_name)
            if env_name not in environ and alias is not None and alias in environ:
                env_name = alias
            if env_name in environ:
                value = _coerce(section, name, key, environ[env_name], from_env=True)
                rel_base = Path.cwd()
            else:
                value = _coerce(section, name, key, data.get(section, {}).get(name, key.default), False)
                rel_base = base
            if (section, name) in PATH_KEYS:
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
