"""Chat models from settings: ``[llm]`` in the configuration.

``provider = "none"`` builds nothing (the offline engine answers alone);
``"ollama"`` builds a ``langchain_ollama.ChatOllama``; ``"openai"`` a
``langchain_openai.ChatOpenAI``, which talks to any OpenAI-compatible server
through ``base_url`` (vLLM, llama.cpp server, LM Studio, hosted APIs).
The provider packages are imported only here, only when chosen.  An API key
is looked up under the name ``api_key_env`` in the environment mapping the
caller passes in (``bot/app.py`` passes the process environment), never read
from a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from retrieval.common.defaults import LLM, LLM_PROVIDERS
from retrieval.common.errors import ConfigError

PROVIDERS = LLM_PROVIDERS
# OpenAI-compatible servers on one's own machine accept any key; the client needs one.
LOCAL_KEY = "not-needed"


@dataclass(frozen=True)
class LLMSettings:
    """What ``[llm]`` holds (see ``config.toml`` for each key)."""

    provider: str = LLM["provider"]
    model: str = LLM["model"]
    base_url: str = LLM["base_url"]
    api_key_env: str = LLM["api_key_env"]
    temperature: float = LLM["temperature"]
    max_tokens: int = LLM["max_tokens"]
    timeout: float = LLM["timeout"]
    max_retries: int = LLM["max_retries"]
    prompt_dir: str = LLM["prompt_dir"]

    @classmethod
    def from_config(cls, section: Any) -> "LLMSettings":
        """From the ``config.llm`` namespace."""
        return cls(**{k: getattr(section, k) for k in cls.__dataclass_fields__ if hasattr(section, k)})


def build_chat_model(settings: LLMSettings, environ: Mapping[str, str]) -> Any | None:
    """The LangChain chat model the settings describe (``None`` for provider none);
    ``environ`` holds the API key under ``settings.api_key_env``."""
    provider = settings.provider
    if provider == "none":
        return None
    if provider not in PROVIDERS:
        raise ConfigError(f"[llm] provider: must be one of {', '.join(PROVIDERS)} (got {provider!r})")
    if not settings.model.strip():
        raise ConfigError(f"[llm] model: provider {provider!r} needs a model name")
    if provider == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError:
            raise ConfigError("[llm] provider \"ollama\" needs langchain-ollama: "
                              "pip install 'newsbot[llm]'") from None
        return ChatOllama(
            model=settings.model,
            base_url=settings.base_url or None,
            temperature=settings.temperature,
            num_predict=settings.max_tokens,
            client_kwargs={"timeout": settings.timeout},
        )
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise ConfigError("[llm] provider \"openai\" needs langchain-openai: "
                          "pip install 'newsbot[llm]'") from None
    key = environ.get(settings.api_key_env, "")
    if not key:
        if not settings.base_url:
            raise ConfigError(f"[llm] provider \"openai\" without base_url talks to api.openai.com: "
                              f"set {settings.api_key_env} in the environment")
        key = LOCAL_KEY
    return ChatOpenAI(
        model=settings.model,
        base_url=settings.base_url or None,
        api_key=key,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
    )
