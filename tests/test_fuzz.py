"""Property tests over the whole reading pipeline: sources → extract → structure → paginate.

Random bytes, random HTML trees and random mixes of real report lines (from content/),
written to a real file and read by `read_report`. Whatever the file, the only way out other
than a report is `ReportError`, the documented one-line refusal; and a report holds what
paginate promises: pages numbered from 1 holding every sentence once, in order, each page
within its budget unless it is one unbreakable unit, no page ending on a heading but the
last, and no control or bidi character in its title or text.

Run time is kept small with max_examples; `CI=true` loads the derandomised profile
registered in tests/conftest.py, so CI runs the same examples each time.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_paginate import is_unbreakable, merged

from reader.pipeline import read_report
from reader.report import HEADING, ReportError

CONTENT = Path(__file__).resolve().parents[1] / "content"
REPORT_LINES = sorted(
    {
        line.strip()
        for path in CONTENT.glob("*.txt")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)  # each example reads a file through every stage
PAGE_CHARS = st.integers(min_value=20, max_value=700)


def read_written(data: bytes, suffix: str, page_chars: int):
    """The report `data` makes as a file named with `suffix`, or None when it is refused."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzzed{suffix}"
        path.write_bytes(data)
        try:
            return read_report(path, page_chars)
        except ReportError as refused:
            message = str(refused)
            assert message.startswith(str(path)) and "\n" not in message
            return None


def assert_paginated(report, page_chars: int) -> None:
    pages = report.pages
    assert [p.n for p in pages] == list(range(1, len(pages) + 1))
    assert [s for p in pages for s in p.sentences] == [s for b in report.blocks for s in b.sentences]
    assert merged(pages) == list(report.blocks)
    for block in report.blocks:
        assert "".join(block.sentences) == block.display
    for page in pages:
        assert page.blocks
        assert page.chars <= page_chars or is_unbreakable(page)
    for page in pages[:-1]:
        assert page.blocks[-1].type != HEADING
    assert report.title and not CONTROL.search(report.title)
    assert not any(CONTROL.search(b.display) for b in report.blocks)


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from([".txt", ".html"]), PAGE_CHARS)
def test_random_bytes_are_a_report_or_refused(data, suffix, page_chars):
    report = read_written(data, suffix, page_chars)
    if report is not None:
        assert_paginated(report, page_chars)


TEXT = st.one_of(
    st.sampled_from(REPORT_LINES),
    st.text(max_size=40),
    st.sampled_from(["&#x202e;", "&#0;", "&amp;", "<!-- 注释 -->", "\u202e", "\x00", "  \n "]),
)
TAGS = ["div", "p", "span", "b", "td", "tr", "table", "li", "ul", "h1", "h2", "a", "article",
        "br", "script", "style", "title", "pre", "font", "strong", "section"]  # fmt: skip
ATTRIBUTES = ["", " class='zoom'", " class='hidden'", " style='display:none'", " id='m-content'",
              " class='TRS_Editor'", " hidden", " class='mobile'"]  # fmt: skip


def html_tree(depth: int = 4):
    """A strategy for HTML fragments: text, or an element around a list of fragments."""
    if depth == 0:
        return TEXT
    return st.one_of(
        TEXT,
        st.builds(
            lambda tag, attributes, children: f"<{tag}{attributes}>{''.join(children)}</{tag}>",
            st.sampled_from(TAGS), st.sampled_from(ATTRIBUTES),
            st.lists(st.deferred(lambda: html_tree(depth - 1)), max_size=5),
        ),  # fmt: skip
    )


META = st.sampled_from(["", "<meta name='PubDate' content='2024-02-09 10:00'>",
                        "<meta name='ArticleTitle' content='南区街道召开干部大会'>",
                        "<meta charset='gbk'>", "<meta name='PubDate' content='2024年13月45日'>"])  # fmt: skip


@FUZZ
@given(META, st.lists(html_tree(), max_size=8), st.sampled_from(["utf-8", "gb18030"]), PAGE_CHARS)
def test_random_html_trees_are_a_report_or_refused(meta, body, encoding, page_chars):
    page = f"<html><head>{meta}</head><body>{''.join(body)}</body></html>"
    report = read_written(page.encode(encoding, "replace"), ".html", page_chars)
    if report is not None:
        assert_paginated(report, page_chars)


@FUZZ
@given(
    st.lists(st.one_of(st.sampled_from(REPORT_LINES), st.text(max_size=20)), max_size=60),
    st.sampled_from(["\n", "\r\n", "\n\n"]),
    PAGE_CHARS,
)
def test_random_mixes_of_report_lines_are_a_report_or_refused(lines, newline, page_chars):
    report = read_written(newline.join(lines).encode("utf-8", "surrogatepass"), ".txt", page_chars)
    if report is not None:
        assert_paginated(report, page_chars)


def test_real_report_lines_read_as_a_report():
    """The helper reads a report, so the tests above can tell a report from a refusal."""
    seed = CONTENT / "zs-nanqu-2024-cadre-meeting.txt"
    report = read_written(seed.read_bytes(), ".txt", 600)
    assert report is not None and report.title == "齐心协力 勇毅前行!南区街道召开干部大会"
    assert_paginated(report, 600)
