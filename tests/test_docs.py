"""The README documents every `reader` command, its options, and every setting."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from reader import config
from reader.cli import main
from reader.settings import PRESETS, SETTING

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def all_commands(group: click.Group, prefix: str = "reader") -> list[tuple[str, click.Command]]:
    """(full name, command) for every subcommand, nested groups included."""
    found = []
    for name, command in sorted(group.commands.items()):
        full_name = f"{prefix} {name}"
        found.append((full_name, command))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, full_name))
    return found


COMMANDS = all_commands(main)


def settings_row(name: str) -> str | None:
    match = re.search(rf"^\| `{re.escape(name)}` \|(.*)$", README, re.MULTILINE)
    return match.group(1) if match else None


def test_there_are_commands_to_document():
    assert {"extract", "check"} <= set(main.commands)


@pytest.mark.parametrize("full_name, command", COMMANDS, ids=[name for name, _ in COMMANDS])
def test_command_is_in_readme(full_name, command):
    assert f"`{full_name}" in README, f"README.md does not document `{full_name}`"
    for parameter in command.params:
        if not isinstance(parameter, click.Option) or parameter.hidden:
            continue
        long_names = [opt for opt in parameter.opts + parameter.secondary_opts if opt[:2] == "--"]
        assert any(re.search(rf"{re.escape(opt)}\b", README) for opt in long_names), (
            f"README.md does not mention {' / '.join(long_names)} of `{full_name}`"
        )


@pytest.mark.parametrize("name", sorted(SETTING))
def test_setting_and_its_values_are_in_readme(name):
    row = settings_row(name)
    assert row is not None, f"README.md's settings table has no row for `{name}`"
    for value in SETTING[name].values:
        assert f"`{value}`" in row, f"README.md does not list `{value}` for setting `{name}`"


def test_presets_are_in_readme():
    row = settings_row("preset")
    assert row is not None, "README.md's settings table has no row for `preset`"
    for preset in PRESETS:
        assert f"`{preset}`" in row, f"README.md does not list preset `{preset}`"


# --- the pages in docs/ ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
# A file or folder of the repository in backticks. One with a placeholder in it
# (`templates/<blueprint>/<view>.html`) names a pattern, not a file, and is not matched.
REPO_PATH = re.compile(r"`((?:reader|static|templates|tests|scripts|bench|docs)/[^`\s<>*]*)`")
# A test as pytest names it: `tests/…/test_x.py::test_name`, with a parameter id or not.
TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[([\w-]+)\])?`")


def doc(name: str) -> str:
    return (ROOT / "docs" / name).read_text(encoding="utf-8")


def test_every_file_the_architecture_page_names_exists():
    named = {match.split("::")[0] for match in REPO_PATH.findall(doc("architecture.md"))}
    assert len(named) >= 40, "docs/architecture.md names too few files to check"
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing, f"docs/architecture.md names files that do not exist: {missing}"


def test_every_test_the_accessibility_page_names_exists():
    named = set(TEST_ID.findall(doc("accessibility.md")))
    assert len(named) >= 20, "docs/accessibility.md names too few tests to check"
    missing = []
    for path, function, parameter in sorted(named):
        source = ROOT / path
        code = source.read_text(encoding="utf-8") if source.is_file() else ""
        if not re.search(rf"^(?:async )?def {function}\(", code, re.MULTILINE):
            missing.append(f"{path}::{function}")
        elif parameter and f'"{parameter}"' not in code:
            missing.append(f"{path}::{function}[{parameter}]")
    assert not missing, f"docs/accessibility.md names tests that do not exist: {missing}"


@pytest.mark.parametrize("name", sorted(config.DEFAULTS))
def test_config_setting_and_its_default_are_in_readme(name):
    row = settings_row(name)
    assert row is not None, f"README.md's configuration table has no row for `{name}`"
    default = config.DEFAULTS[name]
    if default is not None:  # None: made from INSTANCE_DIR, which the row says in words
        assert f"`{default}`" in row, f"README.md does not give `{name}`'s default `{default}`"
