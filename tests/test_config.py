"""Configuration: one mapping of defaults, then the instance's config.py, then the caller's."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader import config
from reader.web import create_app


def test_an_instance_config_file_overrides_the_defaults_and_the_caller_overrides_both(tmp_path):
    (tmp_path / "config.py").write_text("KIOSK = True\nPAGE_CHARS = 300\n", encoding="utf-8")
    loaded = config.load({"INSTANCE_DIR": str(tmp_path), "PAGE_CHARS": 400})
    assert loaded["KIOSK"] is True
    assert loaded["PAGE_CHARS"] == 400
    assert loaded["AUDIO_DIR"] == str(tmp_path / "audio")
    assert loaded["DATABASE"] == str(tmp_path / config.library_name(Path("content")))


def test_each_content_folder_has_its_own_library(tmp_path):
    here, there = (config.load({"INSTANCE_DIR": str(tmp_path), "CONTENT_DIR": str(tmp_path / name)})
                   for name in ("here", "there"))  # fmt: skip
    assert here["DATABASE"] != there["DATABASE"]
    assert Path(here["DATABASE"]).parent == tmp_path
    assert Path(here["DATABASE"]).name.startswith("library-here-")
    explicit = config.load({"INSTANCE_DIR": str(tmp_path), "DATABASE": str(tmp_path / "my.db")})
    assert explicit["DATABASE"] == str(tmp_path / "my.db")  # an explicit DATABASE still wins


def test_the_web_app_and_the_command_line_read_the_same_configuration(tmp_path):
    (tmp_path / "config.py").write_text(f"AUDIO_DIR = {str(tmp_path / 'sound')!r}\n", encoding="utf-8")
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path)})
    assert app.config["AUDIO_DIR"] == config.load({"INSTANCE_DIR": str(tmp_path)})["AUDIO_DIR"]
    assert app.config["AUDIO_DIR"] == str(tmp_path / "sound")


def test_a_broken_config_file_is_one_line_naming_it(tmp_path):
    (tmp_path / "config.py").write_text("KIOSK = (\n", encoding="utf-8")
    with pytest.raises(config.ConfigError) as raised:
        config.load({"INSTANCE_DIR": str(tmp_path)})
    message = str(raised.value)
    assert str(tmp_path / "config.py") in message and "\n" not in message


@pytest.mark.parametrize("value", ["0", "-5", "'1000'", "2.5", "True"])
def test_a_search_count_limit_that_is_not_a_number_of_sentences_is_one_line_naming_it(tmp_path, value):
    (tmp_path / "config.py").write_text(f"SEARCH_COUNT_LIMIT = {value}\n", encoding="utf-8")
    with pytest.raises(config.ConfigError) as raised:
        config.load({"INSTANCE_DIR": str(tmp_path)})
    assert str(raised.value).startswith("SEARCH_COUNT_LIMIT: ") and "\n" not in str(raised.value)
