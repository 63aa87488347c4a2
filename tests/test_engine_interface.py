"""One engine interface: both engines and the test fake implement ``Engine``, with the
same call signatures, so that a front end can hold any of them."""

from __future__ import annotations

import inspect

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from retrieval.engine.engine import AnswerEngine
from retrieval.engine.generate import GenerativeEngine
from retrieval.engine.interface import Engine
from tests.fakes import ScriptedEngine

QUESTION = "Did Trump and Putin speak on the phone?"
METHODS = [name for name, value in vars(Engine).items() if inspect.isfunction(value) and not name.startswith("_")]


def shape(function) -> list[tuple[str, object, object]]:
    """What a caller relies on: each parameter's name, kind and default."""
    params = list(inspect.signature(function).parameters.values())[1:]  # without self
    return [(p.name, p.kind, p.default) for p in params]


@pytest.fixture(scope="module")
def engines(engine) -> dict[str, Engine]:
    return {
        "offline": engine,
        "generative": GenerativeEngine(engine, GenericFakeChatModel(messages=iter([]))),
        "fake": ScriptedEngine(),
    }


def test_the_protocol_names_what_the_front_ends_call():
    assert METHODS == ["answer", "retrieve", "timeline", "refresh", "warm"]
    assert "streams" in Engine.__annotations__


@pytest.mark.parametrize("kind", ["offline", "generative", "fake"])
def test_every_engine_is_an_engine(engines, kind):
    assert isinstance(engines[kind], Engine)


@pytest.mark.parametrize("cls", [AnswerEngine, GenerativeEngine, ScriptedEngine])
@pytest.mark.parametrize("method", METHODS)
def test_signatures_match_the_protocol(cls, method):
    assert shape(getattr(cls, method)) == shape(getattr(Engine, method))


def test_only_the_generative_engine_streams():
    assert GenerativeEngine.streams is True
    assert AnswerEngine.streams is False


def test_the_offline_engine_hands_its_whole_text_to_on_text_once(engine):
    pieces: list[str] = []
    answer = engine.answer(QUESTION, on_text=pieces.append)
    assert answer.answer
    assert pieces == [answer.answer]
    assert engine.answer(QUESTION) == answer
