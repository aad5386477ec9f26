"""The limits that bound what one file may cost: HTML elements and paragraphs.

A page opening more elements than MAX_HTML_ELEMENTS is refused before it is parsed, with
one line naming it, in `reader check` and in the server's log, while every other report is
served; a report of more than MAX_PARAGRAPHS paragraphs is read up to there, with a warning.
Their cost is measured in bench/ingest_limits.py.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONTENT, soup_of

from reader import pipeline
from reader.pipeline import read_report
from reader.report import ReportError
from reader.sources import ELEMENT_START

READER = Path(sys.executable).with_name("reader")
CORPUS = CONTENT.parent / "tests" / "corpus"
PAGE = CORPUS / "info-table-twice" / "source.html"
COMMAND_TIMEOUT = 60


@pytest.fixture
def page_folder(tmp_path):
    """content/ with one HTML page beside its text reports."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    shutil.copy2(PAGE, folder / "page.html")
    return folder


def elements_of(path) -> int:
    return len(ELEMENT_START.findall(path.read_text(encoding="utf-8")))


def test_a_page_over_the_element_limit_is_refused_in_one_line_naming_it(page_folder):
    page = page_folder / "page.html"
    elements = elements_of(page)
    assert elements > 20  # a page with a table, a title and paragraphs
    with pytest.raises(ReportError) as refused:
        read_report(page, max_html_elements=elements - 1)
    assert str(refused.value) == f"{page}: too many HTML elements: over the limit of {elements - 1}"
    assert read_report(page, max_html_elements=elements).title


def test_check_names_the_page_over_the_limit_and_reads_every_other(page_folder, tmp_path):
    limit = elements_of(page_folder / "page.html") - 1
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(f"MAX_HTML_ELEMENTS = {limit}\n")
    result = subprocess.run(
        [str(READER), "check", str(page_folder)],
        capture_output=True, text=True, timeout=COMMAND_TIMEOUT, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert failed == [
        f"FAIL {page_folder / 'page.html'}: too many HTML elements: over the limit of {limit}"
    ]
    reports = len(pipeline.content_files(page_folder))
    assert result.stdout.splitlines()[-1].startswith(
        f"{reports} files: {reports - 1} read, 1 failed"
    )


def test_the_server_serves_every_other_report_and_logs_the_page_over_the_limit(
    page_folder, tmp_path, caplog
):
    from reader.web import create_app

    limit = elements_of(page_folder / "page.html") - 1
    with caplog.at_level(logging.WARNING):
        app = create_app({"TESTING": True, "SPEECH_DISABLED": True, "CONTENT_DIR": str(page_folder),
                          "INSTANCE_DIR": str(tmp_path / "instance"), "MAX_HTML_ELEMENTS": limit})  # fmt: skip
    logged = [r.getMessage() for r in caplog.records if "page.html" in r.getMessage()]
    assert logged == [
        f"not served: {page_folder / 'page.html'}: too many HTML elements: over the limit of {limit}"
    ]
    client = app.test_client()
    links = soup_of(client.get("/")).select("a.rd-report-list__link")
    served = sorted(a["href"] for a in links)
    texts = sorted(f"/r/{p.stem}/" for p in CONTENT.glob("*.txt"))
    assert served == texts
    assert client.get("/r/page/").status_code == 404


def test_a_report_over_the_paragraph_cap_is_read_up_to_it_with_a_warning(monkeypatch):
    report = CONTENT / "zs-nanqu-2024-cadre-meeting.txt"
    whole = read_report(report)
    paragraphs = len(pipeline.extract.extract(pipeline.sources.read_source(report)).paragraphs)
    assert paragraphs > 10
    monkeypatch.setattr(pipeline, "MAX_PARAGRAPHS", 5)
    capped = read_report(report)
    assert capped.title == whole.title
    assert 5 <= len(capped.blocks) < len(whole.blocks)
    assert capped.blocks == whole.blocks[: len(capped.blocks)]
    assert f"{paragraphs} paragraphs: only the first 5 read" in capped.warnings
    assert not any("only the first" in warning for warning in whole.warnings)
