"""Sidecar facts are checked: a wrong one is refused by name, and whatever `reader check`
calls ok is served on every page type.

The content folder holds every corpus case, some with a sidecar. A bad sidecar (a date
that is not YYYY-MM-DD, text that is not text) makes `reader check` fail that report with
one line naming the sidecar, the field and the value; the server logs that line at start
and leaves the report out, and every report check passed answers 200 on the home page,
its cover, each page, the whole text, the speech manifest and a search for its title.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import soup_of

from reader.cli import main

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.json").is_file())
AN_HOUR_AGO = 3600  # seconds: files older than the settle time, as if copied in earlier

# case → (sidecar text, the field and value its FAIL line must name)
BAD_SIDECARS = {
    "crlf-newlines": ('date = "2024年1月1日"\n', 'date = "2024年1月1日"'),
    "gbk-meta-charset": ("date = 2024\n", "date = 2024"),
    "gbk-no-charset": ("date = 2024-01-01T10:00:00\n", "date = 2024-01-01T10:00:00"),
    "mobile-copy": ('date = "2024-02-30"\n', 'date = "2024-02-30"'),
    "old-table-layout": ("kind = true\n", "kind = true"),
    "utf8-bom": ('title = ["工作总结"]\n', 'title = ["工作总结"]'),
    "script-style-iframe": ("city = 12\n", "city = 12"),
    "title-split-over-two-lines": ("date = 10:30:00\n", "date = 10:30:00"),
    "mixed-width-punctuation": ('origin = { url = "https://www.zs.gov.cn/" }\n', "origin = "),
    "lost-enumeration-numeral": ('date = "2024-1-1"\n', 'date = "2024-1-1"'),
}
GOOD_SIDECARS = {
    "gkmlpt-text-scrape": "date = 2024-01-01\n",
    "regulation-chapters-articles": 'date = "0001-01-01"\ncity = "中山市"\n',
    "sub-points-in-parentheses": 'date = "9999-12-31"\n',
    "zs-dongqu-2020-work-plan": 'title = "\\u202e反向\\u0000标题\\u200f"\nsource = "  本网\\n编辑部 "\n',
    "html-title-separator-portal-line": f'title = "{"很长的标题" * 200}"\n',
    "info-table-twice": 'origin = "javascript:alert(1)"\nkind = ""\n',
}


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("content")
    for case in CASES:
        (source,) = case.glob("source.*")
        shutil.copy2(source, folder / f"{case.name}{source.suffix}")
    sidecars = {**{k: v for k, (v, _) in BAD_SIDECARS.items()}, **GOOD_SIDECARS}
    for case, text in sidecars.items():
        sidecar = folder / f"{case}.meta.toml"
        sidecar.write_text(text, encoding="utf-8")
        past = sidecar.stat().st_mtime - AN_HOUR_AGO
        os.utime(sidecar, (past, past))
    return folder


@pytest.fixture(scope="module")
def checked(content) -> tuple[dict[str, int], dict[str, str]]:
    """`reader check`'s verdicts: pages of each report it calls ok, the FAIL line of each other."""
    result = CliRunner().invoke(main, ["check", str(content)])
    ok, failed = {}, {}
    for line in result.stdout.splitlines():
        if read := re.match(r"ok   (\S+) .* (\d+) pages ", line):
            ok[read[1]] = int(read[2])
        elif line.startswith("FAIL "):
            failed[Path(line[5:].split(":")[0]).name.split(".")[0]] = line
    assert result.exit_code == 1, result.stdout
    return ok, failed


@pytest.fixture(scope="module")
def app(content, tmp_path_factory):
    from reader.web import create_app

    return create_app(
        {
            "TESTING": False,  # a view's exception is the 500 a visitor would get
            "SPEECH_DISABLED": True,
            "CONTENT_DIR": str(content),
            "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
        }
    )


@pytest.mark.parametrize("case", sorted(BAD_SIDECARS))
def test_check_names_the_sidecar_field_and_value_of_a_bad_fact(checked, content, case):
    ok, failed = checked
    assert case not in ok
    sidecar = content / f"{case}.meta.toml"
    line = failed[case]
    assert line.startswith(f"FAIL {sidecar}: ")
    assert BAD_SIDECARS[case][1] in line
    assert "\n" not in line


def test_check_reads_every_other_case(checked):
    ok, failed = checked
    assert sorted(ok) == sorted(c.name for c in CASES if c.name not in BAD_SIDECARS)
    assert sorted(failed) == sorted(BAD_SIDECARS)


def test_start_up_logs_a_bad_sidecar_in_one_line_and_serves_the_rest(content, tmp_path, caplog):
    from reader.web import create_app

    with caplog.at_level(logging.WARNING):
        app = create_app({"TESTING": True, "SPEECH_DISABLED": True, "CONTENT_DIR": str(content),
                          "INSTANCE_DIR": str(tmp_path / "instance")})  # fmt: skip
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("not served: ")]
    for case, (_, named) in BAD_SIDECARS.items():
        (line,) = [m for m in logged if f"{case}.meta.toml" in m]
        assert named in line and "\n" not in line
    listed = {href.split("/")[2] for href in listed_on_home(app.test_client())}
    assert listed == {c.name for c in CASES if c.name not in BAD_SIDECARS}


def listed_on_home(client) -> set[str]:
    """The report links of the home page, and of its further pages (past 20 reports)."""
    hrefs, url = set(), "/"
    while url:
        home = client.get(url)
        assert home.status_code == 200, url
        soup = soup_of(home)
        hrefs |= {a["href"] for a in soup.select("a.rd-report-list__link")}
        following = soup.select_one(".rd-pagination a[rel=next]")
        url = following["href"] if following else None
    return hrefs


def test_every_report_check_calls_ok_answers_on_every_page_type(checked, app):
    ok, _ = checked
    client = app.test_client()
    listed = listed_on_home(client)
    for slug, page_count in ok.items():
        assert f"/r/{slug}/" in listed
        urls = [f"/r/{slug}/", f"/r/{slug}/all", f"/r/{slug}/1/speech.json"]
        urls += [f"/r/{slug}/{n}" for n in range(1, page_count + 1)]
        title = soup_of(client.get(f"/r/{slug}/")).h1.get_text(strip=True)
        urls.append(f"/search?q={title[:6]}")
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_a_sidecar_title_reaches_the_page_without_control_characters(checked, app):
    ok, _ = checked
    assert "zs-dongqu-2020-work-plan" in ok
    cover = soup_of(app.test_client().get("/r/zs-dongqu-2020-work-plan/"))
    assert cover.h1.get_text(strip=True) == "反向标题"
    assert not re.search("[\u0000-\u001f\u200e\u200f\u202a-\u202e]", cover.h1.get_text())
