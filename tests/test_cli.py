"""`reader extract` and `reader check` as staff use them on content/ and on bad files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main

CONTENT = Path(__file__).resolve().parents[1] / "content"
SEED = CONTENT / "zs-nanqu-2024-cadre-meeting.txt"
TITLE = "齐心协力 勇毅前行!南区街道召开干部大会"

# name → bytes of a file that is not a readable report
BAD_FILES = {
    "empty.txt": b"",
    "binary.txt": bytes(range(256)) * 8,
    "scan.html": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "undecodable.txt": bytes([0x80, 0xFF, 0x81, 0x20]) * 64,
    "chrome-only.txt": "无障碍版 长者助手 登录\n您当前的位置: > >\n分享:\n".encode(),
    "script-only.html": b"<html><head><script>var a = 1;</script></head><body><style>p{}</style></body></html>",
}


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_extract_json_has_the_documented_shape():
    result = run("extract", SEED, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"title", "date", "source", "district", "kind", "blocks", "pages", "warnings"} <= set(report)
    assert (report["title"], report["date"], report["source"]) == (TITLE, "2024-02-09", "本网")
    assert (report["district"], report["kind"]) == ("南区街道", "会议报道")
    first = report["blocks"][0]
    assert set(first) == {"type", "text"}  # a paragraph has no label or level
    assert first["type"] == "paragraph"
    assert first["text"].startswith("2024年2月4日上午,南区街道召开干部大会")
    items = [b for b in report["blocks"] if b["type"] == "item"]
    assert items[0]["label"] == "一是" and items[0]["text"].startswith("“百千万工程”开局良好。")
    assert report["blocks"][-1] == {"type": "paragraph", "text": "2024年2月6日"}
    assert [p["n"] for p in report["pages"]] == list(range(1, len(report["pages"]) + 1))
    assert all(isinstance(p["heading_path"], list) and p["chars"] > 0 for p in report["pages"])
    assert report["warnings"] == []


def test_extract_json_reads_a_heading_and_a_sidecar_title():
    report = json.loads(run("extract", CONTENT / "zs-dongqu-2020-work-plan.txt", "--json").stdout)
    assert report["title"] == "东区街道2020年工作计划"
    assert report["date"] is None
    assert report["blocks"][2] == {
        "type": "heading",
        "level": 1,
        "label": "(一)",
        "text": "聚焦粤港澳大湾区主阵地建设,全面提升中心城区的承载力和吸引力",
    }


def test_extract_without_json_prints_one_summary_line():
    result = run("extract", SEED)
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1
    assert TITLE in result.stdout and "2024-02-09" in result.stdout


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_extract_refuses_a_bad_file_with_one_line_naming_it(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    result = run("extract", path, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.txt", "empty"),
        ("binary.txt", "binary"),
        ("scan.html", "PDF"),
        ("undecodable.txt", "cannot decode"),
        ("chrome-only.txt", "no body"),
        ("script-only.html", "no body"),
    ],
)
def test_the_error_says_why(tmp_path, name, reason):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    assert reason in run("extract", path).stderr


def test_extract_a_missing_file(tmp_path):
    result = run("extract", tmp_path / "gone.txt")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(str(tmp_path / "gone.txt"))


def test_check_content_reads_every_seed():
    result = run("check", CONTENT)
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    for path in sorted(CONTENT.glob("*.txt")):
        assert sum(line.startswith(f"ok   {path.stem}  ") for line in lines) == 1
    assert "西区街道2023年工作计划 [title from meta.toml]" in result.stdout
    # 东区 and 西区 have no publish date in their page or sidecar: check says so under each.
    no_date = "     warning: no publish date in the file: give one as date in its .meta.toml"
    for slug in ("zs-dongqu-2020-work-plan", "zs-xiqu-2023-work-plan"):
        assert lines[lines.index(next(x for x in lines if x.startswith(f"ok   {slug}  "))) + 1] == no_date
    assert lines[-1] == "5 files: 5 read, 0 failed, 3 with warnings"


def test_check_goes_on_past_bad_files_and_fails(tmp_path):
    for seed in CONTENT.glob("*.txt"):
        shutil.copy(seed, tmp_path)
    for name, data in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    result = run("check", tmp_path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    failed = [line for line in lines if line.startswith("FAIL ")]
    assert sorted(line.split()[1].rstrip(":") for line in failed) == sorted(
        str(tmp_path / name) for name in BAD_FILES
    )
    assert sum(line.startswith("ok   ") for line in lines) == 5
    assert lines[-1] == f"{5 + len(BAD_FILES)} files: 5 read, {len(BAD_FILES)} failed, 3 with warnings"


def test_check_reads_a_report_without_title_or_date_and_warns(tmp_path):
    """No title in the file, none to make from its first paragraph: titled from its name."""
    path = tmp_path / "2024年某镇工作报告.txt"
    path.write_text(
        "一、主要工作\n今年以来，我们坚持稳中求进，各项工作有序推进。\n"
        "二、下步打算\n我们将继续抓好重点项目建设。\n",
        encoding="utf-8",
    )
    result = run("check", tmp_path)
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok   2024年某镇工作报告  2024年某镇工作报告 [title from file name]  no date")
    assert lines[1:3] == [
        "     warning: no title in the file or its first paragraph: titled '2024年某镇工作报告' from its file name",
        "     warning: no publish date in the file: give one as date in its .meta.toml",
    ]
    assert lines[-1] == "1 files: 1 read, 0 failed, 1 with warnings"


def test_check_an_empty_directory_fails(tmp_path):
    result = run("check", tmp_path)
    assert result.exit_code == 1
    assert "0 files" in result.stdout


def test_synthesise_into_a_cache_that_cannot_be_written_is_one_line(tmp_path):
    a_file = tmp_path / "audio"
    a_file.write_text("a file where the cache's folder should be", encoding="utf-8")
    not_a_folder = a_file / "cache"
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(CONTENT / "zs-nanqu-2024-cadre-meeting.txt", content)
    result = CliRunner().invoke(
        main, ["synthesise", "--content", str(content), "--audio-dir", str(not_a_folder)]
    )
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if "cannot store audio" in line]
    assert lines and str(not_a_folder) in lines[0]
    assert "Traceback" not in result.output
