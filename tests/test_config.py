"""config.toml loading, environment overrides and errors that name the key."""

from pathlib import Path

import pytest

from bot.config import PATH_KEYS, SCHEMA, load_config
from retrieval.common.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_repository_config_lists_every_key_with_its_default():
    text = (REPO / "config.toml").read_text()
    cfg = load_config(REPO / "config.toml", environ={})
    for section, keys in SCHEMA.items():
        assert f"[{section}]" in text
        for name, key in keys.items():
            assert f"\n{name} = " in text, f"{section}.{name} missing from config.toml"
            expected = (REPO / key.default).resolve() if (section, name) in PATH_KEYS else key.default
            assert getattr(getattr(cfg, section), name) == expected


def test_defaults_without_a_file(tmp_path):
    cfg = load_config(None, environ={})
    assert cfg.store.path == (tmp_path / ".newsbot" / "store").resolve()
    assert cfg.chunking.size == 800


def test_relative_store_path_is_relative_to_the_config_file(tmp_path):
    sub = tmp_path / "conf"
    sub.mkdir()
    cfg = load_config(write(sub, '[store]\npath = "st"\n'), environ={})
    assert cfg.store.path == (sub / "st").resolve()


def test_environment_overrides_the_file(tmp_path):
    path = write(tmp_path, '[store]\npath = "a"\n[chunking]\nsize = 500\n')
    cfg = load_config(path, environ={"NEWSBOT_STORE_PATH": "/tmp/x", "NEWSBOT_CHUNKING_SIZE": "300",
                                     "NEWSBOT_INGEST_ALLOW_URLS": "false"})
    assert cfg.store.path == Path("/tmp/x")
    assert cfg.chunking.size == 300
    assert cfg.ingest.allow_urls is False


@pytest.mark.parametrize(
    "text, named",
    [
        ("[store]\npaht = 'x'\n", "[store] paht"),
        ("[stor]\npath = 'x'\n", "[stor]"),
        ("[chunking]\nsize = 'big'\n", "[chunking] size"),
        ("[chunking]\nsize = -5\n", "[chunking] size"),
        ("[ingest]\nallow_urls = 1\n", "[ingest] allow_urls"),
        ("[chunking]\nsize = 100\noverlap = 200\n", "[chunking] overlap"),
        ("[store\n", "not valid TOML"),
    ],
)
def test_bad_keys_and_values_are_named(tmp_path, text, named):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), environ={})
    assert named in str(err.value)


@pytest.mark.parametrize(
    "env, named",
    [
        ({"NEWSBOT_CHUNKING_SIZE": "many"}, "NEWSBOT_CHUNKING_SIZE"),
        ({"NEWSBOT_INGEST_ALLOW_URLS": "maybe"}, "NEWSBOT_INGEST_ALLOW_URLS"),
        ({"NEWSBOT_STORE_PAHT": "/tmp/x"}, "NEWSBOT_STORE_PAHT"),
    ],
)
def test_bad_environment_is_named(env, named):
    with pytest.raises(ConfigError) as err:
        load_config(None, environ=env)
    assert named in str(err.value)


def test_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="nope.toml"):
        load_config(tmp_path / "nope.toml", environ={})


def test_newsbot_variables_that_are_not_keys_are_accepted():
    env = {"NEWSBOT_CONFIG": "x", "NEWSBOT_CACHE_DIR": "/tmp/c", "NEWSBOT_EVAL_DIR": "/tmp/e"}
    assert load_config(None, environ=env).store.collection == "news"


def test_eval_folders_are_relative_to_the_config_file(tmp_path):
    sub = tmp_path / "conf"
    sub.mkdir()
    cfg = load_config(write(sub, '[eval]\ndir = "dev"\n'), environ={})
    assert cfg.eval.dir == (sub / "dev").resolve()
    assert cfg.eval.train_dir == (tmp_path / "shared" / "train").resolve()
    assert cfg.eval.sample_dir == (sub / "data" / "sample").resolve()


def test_eval_folders_from_the_environment_keep_their_old_names(tmp_path):
    env = {"NEWSBOT_EVAL_DIR": "e", "NEWSBOT_TRAIN_DIR": "/data/train"}
    cfg = load_config(write(tmp_path, '[eval]\ndir = "x"\ntrain_dir = "y"\n'), environ=env)
    assert cfg.eval.dir == (tmp_path / "e").resolve()  # isolated: cwd is tmp_path
    assert cfg.eval.train_dir == Path("/data/train")
