"""Shared fixtures: the app on temporary paths, its test client, espeak-ng, a copy of content/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"


@pytest.fixture(scope="module")
def synthesiser():
    """One real espeak-ng synthesiser for a test module."""
    from reader.speech.synthesiser import Synthesiser

    with Synthesiser(workers=1, timeout=10) as synthesiser:
        yield synthesiser


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """A private copy of content/, for tests that change it."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture
def app(tmp_path):
    from reader.web import create_app

    return create_app(
        {"TESTING": True, "CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(tmp_path / "instance")}
    )


@pytest.fixture
def client(app):
    return app.test_client()


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


# CI runs the same property-test examples every time (CI=true); elsewhere they vary.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
