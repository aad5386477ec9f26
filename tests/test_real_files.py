"""Only real, complete, bounded files are read, and none holds the pages up.

Real FIFOs (os.mkfifo), symbolic links, a directory, a device and a file being written,
in a content folder that `reader check`, `reader extract` and the server read: each
skipped with one line, a FIFO never opened. Control and bidi characters never reach a
page; a file over MAX_SOURCE_BYTES is refused unread; and while a library is rebuilt,
requests are answered from the one being served.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CONTENT, soup_of

from reader import pipeline
from reader.pipeline import read_report
from reader.report import ReportError
from reader.sources import read_source

READER = Path(sys.executable).with_name("reader")
SEED = CONTENT / "zs-nanqu-2024-cadre-meeting.txt"
SEED_TITLE = "齐心协力 勇毅前行!南区街道召开干部大会"
COMMAND_TIMEOUT = 60  # seconds: a FIFO opened for reading would block for ever


@pytest.fixture
def odd_folder(tmp_path) -> Path:
    """A content folder holding a report and one of each thing that is not a report file."""
    folder = tmp_path / "content"
    folder.mkdir()
    shutil.copy2(SEED, folder / "report.txt")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy2(CONTENT / "dg-nancheng-2023-work-plan.txt", outside / "secret.txt")
    (folder / "a-folder.txt").mkdir()
    os.mkfifo(folder / "pipe.txt")
    os.mkfifo(folder / "pipe.meta.toml.txt")
    (folder / "outside.txt").symlink_to(outside / "secret.txt")
    (folder / "inside.txt").symlink_to("report.txt")
    (folder / "gone.html").symlink_to(tmp_path / "no-such-file.html")
    (folder / "null.txt").symlink_to(os.devnull)
    return folder


SKIPPED = {
    "a-folder.txt": "a directory",
    "pipe.txt": "a FIFO",
    "pipe.meta.toml.txt": "a FIFO",
    "outside.txt": "a link to a file outside",
    "gone.html": "a broken link",
    "null.txt": "a character device",
}


def test_check_skips_each_thing_that_is_not_a_file_with_one_line(odd_folder):
    result = subprocess.run(
        [str(READER), "check", str(odd_folder)],
        capture_output=True, text=True, timeout=COMMAND_TIMEOUT, cwd=odd_folder.parent,
    )  # fmt: skip
    lines = result.stdout.splitlines()
    skips = [line for line in lines if line.startswith("SKIP ")]
    for name, reason in SKIPPED.items():
        (line,) = [s for s in skips if s.startswith(f"SKIP {odd_folder / name}: ")]
        assert reason in line
    assert len(skips) == len(SKIPPED)
    ok = [line for line in lines if line.startswith("ok ")]
    assert sorted(line.split()[1] for line in ok) == ["inside", "report"]
    assert lines[-1] == f"2 files: 2 read, 0 failed, 0 with warnings, {len(SKIPPED)} skipped"
    assert result.returncode == 0


def test_extract_refuses_a_fifo_at_once_without_opening_it(odd_folder):
    result = subprocess.run(
        [str(READER), "extract", str(odd_folder / "pipe.txt")],
        capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"{odd_folder / 'pipe.txt'}: a FIFO (named pipe), not a file"]


def test_a_fifo_as_a_sidecar_is_refused_not_waited_on(tmp_path):
    shutil.copy2(SEED, tmp_path / "report.txt")
    os.mkfifo(tmp_path / "report.meta.toml")
    with pytest.raises(ReportError, match=r"report\.meta\.toml: a FIFO \(named pipe\), not a file"):
        read_report(tmp_path / "report.txt")


def test_the_server_skips_them_with_a_line_each_and_serves_the_reports(odd_folder, tmp_path, caplog):
    from reader.web import create_app

    with caplog.at_level(logging.WARNING):
        app = create_app({"TESTING": True, "SPEECH_DISABLED": True, "CONTENT_DIR": str(odd_folder),
                          "INSTANCE_DIR": str(tmp_path / "instance")})  # fmt: skip
    skipped = [r.getMessage() for r in caplog.records if r.getMessage().startswith("skipped: ")]
    assert len(skipped) == len(SKIPPED)
    for name, reason in SKIPPED.items():
        assert any(f"{odd_folder / name}: " in line and reason in line for line in skipped), name
    client = app.test_client()
    links = soup_of(client.get("/")).select("a.rd-report-list__link")
    assert sorted(a["href"] for a in links) == ["/r/inside/", "/r/report/"]
    assert client.get("/r/outside/").status_code == 404
    hits = soup_of(client.get("/search?q=南城街道")).select("main a[href^='/r/']")
    assert hits == [], "the file outside the folder was served"


def test_a_file_being_written_is_served_only_once_complete(content_dir, tmp_path):
    from reader.web import create_app, store

    app = create_app({"TESTING": True, "SPEECH_DISABLED": True, "CONTENT_DIR": str(content_dir),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "LIBRARY_CHECK_SECONDS": 0})  # fmt: skip
    client = app.test_client()
    whole = SEED.read_bytes()
    half = whole.rfind(b"\n", 0, len(whole) // 2)
    growing = content_dir / "new-report.txt"
    with growing.open("wb") as copy:
        copy.write(whole[:half])
        copy.flush()
        client.get("/")
        assert store.wait_for_build(app, timeout=60)
        assert client.get("/r/new-report/").status_code == 404, "half a file was served"
        time.sleep(0.5)
        copy.write(whole[half:])
    client.get("/")
    assert store.wait_for_build(app, timeout=60)
    assert client.get("/r/new-report/").status_code == 404, "a file written a moment ago was served"

    time.sleep(pipeline.SETTLE_SECONDS + 0.2)
    client.get("/")
    assert store.wait_for_build(app, timeout=60)
    whole_text = client.get("/r/new-report/all").get_data(as_text=True)
    assert "2024年2月6日" in whole_text  # the report's last line: all of it was read


def test_check_waits_for_a_file_just_written(tmp_path):
    shutil.copy(SEED, tmp_path / "just-copied.txt")  # a new modification time: being written
    started = time.monotonic()
    result = subprocess.run(
        [str(READER), "check", str(tmp_path)],
        capture_output=True, text=True, timeout=COMMAND_TIMEOUT, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "1 files: 1 read, 0 failed, 0 with warnings"
    assert time.monotonic() - started < pipeline.SETTLE_WAIT_SECONDS


def test_a_file_over_the_size_limit_is_refused_unread_in_one_line(tmp_path):
    shutil.copy2(SEED, tmp_path / "report.txt")
    size = SEED.stat().st_size
    with pytest.raises(ReportError) as refused:
        read_report(tmp_path / "report.txt", max_source_bytes=size - 1)
    assert str(refused.value) == (
        f"{tmp_path / 'report.txt'}: too big: {size} bytes, over the limit of {size - 1}"
    )
    assert read_report(tmp_path / "report.txt", max_source_bytes=size).title == SEED_TITLE

    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text(f"MAX_SOURCE_BYTES = {size - 1}\n")
    result = subprocess.run(
        [str(READER), "check", str(tmp_path)],
        capture_output=True, text=True, timeout=COMMAND_TIMEOUT, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert f"FAIL {tmp_path / 'report.txt'}: too big: {size} bytes" in result.stdout


INVISIBLE = "\u0000\u0007\u001b\u0095\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u00ad"


def test_control_and_bidi_characters_never_reach_the_text(tmp_path):
    lines = SEED.read_text(encoding="utf-8").splitlines()
    # NUL and the rest past the first 8 KB, where the binary sniff does not look
    padding = "\n".join(lines) + "\n" + "。\n" * 5000
    poisoned = tmp_path / "poisoned.txt"
    poisoned.write_text(padding + f"南区{INVISIBLE}街道\u202e召开\u0000大会。\n", encoding="utf-8")
    text = read_source(poisoned).text
    assert "南区街道召开大会。" in text
    assert not set(INVISIBLE) & set(text)

    page = tmp_path / "poisoned.html"
    # &#0; and &#x80;-&#x9f; are not control characters to an HTML parser: U+FFFD and the
    # windows-1252 characters (&#x95; is •), as a browser shows them.
    entities = "".join(f"&#x{ord(c):x};" for c in INVISIBLE if c not in "\u0000\u0095")
    body = "".join(f"<p>{line}</p>" for line in lines[8:30])
    page.write_text(
        f"<html><head><title>南区{entities}街道召开干部大会</title></head><body>"
        f"<h1>南区{entities}街道召开干部大会</h1><div class='zoom'><p>南区街道{entities}召开干部大会。</p>"
        f"{body}</div></body></html>",
        encoding="utf-8",
    )
    report = read_report(page)
    assert report.title == "南区街道召开干部大会"
    shown = report.title + "".join(b.display for b in report.blocks)
    assert "南区街道召开干部大会。" in shown
    assert not set(INVISIBLE) & set(shown)


def test_requests_are_answered_from_the_old_library_while_an_update_runs(content_dir, tmp_path):
    from reader.web import create_app, store

    app = create_app({"TESTING": True, "SPEECH_DISABLED": True, "CONTENT_DIR": str(content_dir),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "LIBRARY_CHECK_SECONDS": 3600})  # fmt: skip
    client = app.test_client()
    assert len(soup_of(client.get("/")).select("a.rd-report-list__link")) == 5
    copies = 80
    for seed in CONTENT.glob("*.txt"):
        for n in range(copies):
            shutil.copy2(seed, content_dir / f"{seed.stem}-{n}.txt")  # copy2: settled already

    watcher = app.extensions[store.WATCHER]
    watcher.check_now(timeout=0)  # now, rather than in an hour
    deadline = time.monotonic() + 10
    while not watcher.updating and time.monotonic() < deadline:
        time.sleep(0.005)
    assert watcher.updating, "the watcher did not take up the new files"
    started = time.monotonic()
    home = client.get("/")
    answered_in = time.monotonic() - started
    assert watcher.updating, "the answer waited for the update"
    assert len(soup_of(home).select("a.rd-report-list__link")) == 5
    assert client.get("/r/zs-nanqu-2024-cadre-meeting-7/1").status_code == 404  # not yet
    assert store.wait_for_build(app, timeout=300)
    updated_in = time.monotonic() - started
    assert answered_in < updated_in
    title = soup_of(client.get("/")).select_one("#rd-browse-title").get_text()
    assert f"共 {5 + 5 * copies} 份报告" in title
    assert client.get("/r/zs-nanqu-2024-cadre-meeting-7/1").status_code == 200
