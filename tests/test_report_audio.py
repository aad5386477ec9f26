"""下载音频: a whole report as one MP3 per voice with ID3 chapters, and an M3U of its pages.

The report is a short excerpt of a real one (南城街道2023年工作计划, content/), cut to a
sentence or two a section so that espeak-ng says it all in a few seconds.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from click.testing import CliRunner
from conftest import soup_of
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from reader.cli import main
from reader.speech.mp3 import mp3_duration, mp3_frames
from reader.speech.report_audio import SECTION_GAP, SENTENCE_GAP
from reader.web import create_app

SLUG = "dg-nancheng-2023-excerpt"
EXCERPT = """南城街道2023年工作计划
中国东莞政府门户网站      2023-02-24 10:36:53  来源: 本网

  紧紧围绕党的二十大新部署新要求,切实找准南城贯彻落实的结合点和突破口,力争街道全年经济社会发展实现更好的结果。

  一、全力以赴稳增长,推进经济高质量发展

  持续优化营商环境,吸引更多总部企业、金融企业、现代服务业企业集聚。

  二、坚持以人为本的理念,打造高品质城市中心

  融入“公园城市”的发展理念,加快推进国际商务区中央公园、首开区社区公园建设,争取2025年建成30个口袋公园。持续发力提升城市交通品质。

  三、加强社会民生建设,满足群众生活新期盼

  持续擦亮“南城有爱”民生品牌。
"""
PREPARED_WITHIN = 120  # seconds for espeak-ng to say the excerpt in one voice


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / f"{SLUG}.txt").write_text(EXCERPT, encoding="utf-8")
    return folder


def make_app(tmp_path, content, **config):
    return create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(content),
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "PAGE_CHARS": 120,  # several pages, so the playlist has several entries
            "SPEECH_WORKERS": 1,
            "SPEECH_TIMEOUT": 10,
            **config,
        }
    )


@pytest.fixture
def app(tmp_path, content):
    app = make_app(tmp_path, content)
    yield app
    app.extensions["report_preparer"].join(PREPARED_WITHIN)
    app.extensions["speech_synthesiser"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def utterances(app) -> int:
    return app.extensions["speech_synthesiser"].utterances


def cached_files(app) -> list[Path]:
    return sorted(Path(app.config["AUDIO_DIR"]).rglob("*.*"))


def fetch(client, url, **options):
    """The response read whole and closed, so no file the app opened is left open."""
    response = client.get(url, **options)
    response.get_data()
    response.close()
    return response


def download(client, app, url):
    """What a listener gets from a 下载音频 link: asked once, and again once prepared."""
    response = client.get(url)
    if response.status_code == 503:
        app.extensions["report_preparer"].join(PREPARED_WITHIN)
        response = client.get(url)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return fetch(client, response.headers["Location"])


def cover_links(client, heading: str = "下载音频") -> dict[str, str]:
    """The cover's download links by their text (their accessible names)."""
    soup = soup_of(client.get(f"/r/{SLUG}/"))
    section = soup.find("section", attrs={"aria-labelledby": "rd-downloads-title"})
    assert section.find(id="rd-downloads-title").get_text(strip=True) == heading
    return {a.get_text(" ", strip=True): a["href"] for a in section.find_all("a")}


def sentence_durations(client, voice: str, rate: str) -> list[tuple[str, float]]:
    """Every sentence of the report in reading order, with the length of its own audio."""
    sentences = []
    n = 1
    while n:
        manifest = client.get(f"/r/{SLUG}/{n}/speech.json?voice={voice}&rate={rate}").get_json()
        for sentence in manifest["sentences"]:
            audio = fetch(client, sentence["audio"])
            assert audio.status_code == 200
            sentences.append((sentence["text"], mp3_duration(audio.data)))
        n = n + 1 if manifest["next"] else 0
    return sentences


@pytest.mark.speech
def test_the_whole_report_is_one_mp3_with_a_chapter_for_each_section(client, app, tmp_path):
    links = cover_links(client)
    assert {"普通话 MP3（分章节）", "粤语 MP3（分章节）", "普通话 播放列表（M3U）", "粤语 播放列表（M3U）"} == set(links)
    soup = soup_of(client.get(f"/r/{SLUG}/"))
    title = soup.h1.get_text(strip=True)
    headings = [a.get_text(strip=True) for a in soup.select(".rd-contents__link")]
    assert len(headings) == 3

    count = 0
    for n in range(1, 99):
        manifest = client.get(f"/r/{SLUG}/{n}/speech.json?voice=cmn&rate=normal")
        if manifest.status_code == 404:
            break
        count += len(manifest.get_json()["sentences"])
    asked = client.get(links["普通话 MP3（分章节）"])
    assert asked.status_code == 503 and asked.headers["Retry-After"]
    page = soup_of(asked).main.get_text(" ", strip=True)
    assert "正在准备整份报告的音频" in page  # answered at once, before anything was made
    assert f"已准备好 0 句，共 {count} 句" in page

    response = download(client, app, links["普通话 MP3（分章节）"])
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(title)}" in disposition  # the title, RFC 5987
    assert re.search(r'filename="[A-Za-z0-9._-]+\.mp3"', disposition)
    mp3 = response.data
    (tmp_path / "report.mp3").write_bytes(mp3)

    tags = ID3(tmp_path / "report.mp3")
    assert tags["TIT2"].text == [title]
    assert tags["TPE1"].text == ["本网"]  # the source the page names
    (toc,) = tags.getall("CTOC")
    chapters = {chap.element_id: chap for chap in tags.getall("CHAP")}
    assert list(toc.child_element_ids) == sorted(chapters, key=lambda c: chapters[c].start_time)
    ordered = [chapters[element_id] for element_id in toc.child_element_ids]
    # the text before the first heading is a chapter named by the title, then one a heading
    assert [chap.sub_frames["TIT2"].text[0] for chap in ordered] == [title, *headings]
    starts = [chap.start_time for chap in ordered]
    assert starts[0] == 0 and starts == sorted(set(starts))
    assert [chap.end_time for chap in ordered[:-1]] == starts[1:]

    # frames end to end after the tag, every one a 22050 Hz frame
    body = mp3[len(mp3) - sum(length for _, length, _, _ in mp3_frames(mp3)):]
    assert body[:2] == b"\xff\xf3" and mp3[:3] == b"ID3"
    assert {rate for _, _, _, rate in mp3_frames(mp3)} == {22050}
    seconds = mp3_duration(mp3)
    assert MP3(tmp_path / "report.mp3").info.length == pytest.approx(seconds, abs=0.2)
    assert ordered[-1].end_time == pytest.approx(seconds * 1000, abs=1)

    # each chapter starts after the audio of every sentence before its heading, and gaps
    made = utterances(app)
    sentences = sentence_durations(client, "cmn", "normal")
    assert utterances(app) == made  # the manifests' audio is the audio the MP3 was made of
    texts = [text for text, _ in sentences]
    firsts = [0] + [texts.index(heading) for heading in headings]
    for chap, first, section in zip(ordered, firsts, range(len(firsts)), strict=True):
        before = sum(duration for _, duration in sentences[:first])
        gaps = (first - section) * SENTENCE_GAP + section * SECTION_GAP
        assert chap.start_time / 1000 == pytest.approx(before + gaps, abs=0.1 * first + 0.01)
    gaps = (len(sentences) - len(firsts)) * SENTENCE_GAP + (len(firsts) - 1) * SECTION_GAP
    assert seconds == pytest.approx(sum(d for _, d in sentences) + gaps, abs=0.1 * len(sentences))

    # asked again: nothing new spoken or stored, the same bytes, and ranges and 304s work
    files, made = cached_files(app), utterances(app)
    again = download(client, app, links["普通话 MP3（分章节）"])
    assert again.data == mp3 and utterances(app) == made and cached_files(app) == files
    url = client.get(links["普通话 MP3（分章节）"]).headers["Location"]
    part = fetch(client, url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == mp3[100:200]
    assert fetch(client, url, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304

    # and the cover now says how long and how large it is
    (mandarin,) = [text for text in cover_links(client) if text.startswith("普通话 MP3")]
    minutes = max(1, -(-int(seconds) // 60))
    assert mandarin == f"普通话 MP3（约 {minutes} 分钟，{len(mp3) / 1e6:.1f} MB）"


@pytest.mark.speech
def test_the_playlist_lists_every_page_with_audio_that_plays(client, app):
    playlist = client.get(cover_links(client)["粤语 播放列表（M3U）"])
    assert playlist.status_code == 200 and playlist.mimetype == "audio/x-mpegurl"
    assert ".m3u8" in playlist.headers["Content-Disposition"]
    lines = playlist.get_data(as_text=True).splitlines()
    assert lines[0] == "#EXTM3U"
    entries = [(lines[i], lines[i + 1]) for i, line in enumerate(lines) if line.startswith("#EXTINF")]
    pages = int(re.search(r"共 (\d+) 页", soup_of(client.get(f"/r/{SLUG}/")).get_text()).group(1))
    assert pages > 1 and len(entries) == pages
    for n, (info, url) in enumerate(entries, start=1):
        assert info.startswith("#EXTINF:-1,南城街道2023年工作计划") and f"第 {n} 页" in info
        address = urlsplit(url)
        assert address.scheme == "http" and "voice=yue" in address.query
        audio = fetch(client, f"{address.path}?{address.query}", follow_redirects=True)
        assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
        assert sum(length for _, length, _, _ in mp3_frames(audio.data)) == len(audio.data)
        assert mp3_duration(audio.data) > 1


@pytest.mark.speech
def test_synthesise_reports_makes_the_mp3_ahead_of_time(tmp_path, content):
    audio_dir = tmp_path / "instance" / "audio"
    result = CliRunner().invoke(
        main,
        ["synthesise", "--content", str(content), "--audio-dir", str(audio_dir),
         "--rate", "fast", "--workers", "1", "--reports"],
    )
    assert result.exit_code == 0, result.output
    assert "2 report MP3s: 2 made, 0 already made, 0 failed" in result.output
    app = make_app(tmp_path, content)
    try:
        client = app.test_client()
        started = time.monotonic()
        response = client.get(f"/r/{SLUG}/report.mp3?voice=yue&rate=fast")
        assert response.status_code == 302, "made ahead of time, so no page saying it is prepared"
        assert utterances(app) == 0
        mp3 = fetch(client, response.headers["Location"])
        assert mp3.status_code == 200 and "%EF%BC%88%E7%B2%A4%E8%AF%AD" in mp3.headers["Content-Disposition"]
        assert time.monotonic() - started < PREPARED_WITHIN
        again = CliRunner().invoke(
            main,
            ["synthesise", "--content", str(content), "--audio-dir", str(audio_dir),
             "--rate", "fast", "--workers", "1", "--reports"],
        )
        assert "2 report MP3s: 0 made, 2 already made, 0 failed" in again.output
    finally:
        app.extensions["speech_synthesiser"].close()


@pytest.mark.speech
def test_a_damaged_report_mp3_is_made_again_from_the_sentences(client, app):
    url = f"/r/{SLUG}/report.mp3?voice=cmn&rate=fast"
    first = download(client, app, url)
    location = client.get(url).headers["Location"]
    stored = next(Path(app.config["AUDIO_DIR"], "reports").rglob("*.mp3"))
    stored.write_bytes(first.data[: len(first.data) // 2])  # cut short
    assert fetch(client, location).status_code == 404  # never served half a file
    made = utterances(app)
    again = download(client, app, url)
    assert again.data == first.data and utterances(app) == made


@pytest.mark.parametrize(
    "url, status",
    [
        ("/r/no-such-report/report.mp3", 404),
        ("/r/no-such-report/playlist.m3u8", 404),
        (f"/r/{SLUG}/report.mp3?voice=fr", 400),
        (f"/r/{SLUG}/report.mp3?voice=", 400),
        (f"/r/{SLUG}/report.mp3?voice=cmn&rate=x%00y", 400),
        (f"/r/{SLUG}/report.mp3?rate=glacial", 400),
        (f"/r/{SLUG}/playlist.m3u8?voice=klingon", 400),
        (f"/r/{SLUG}/playlist.m3u8?rate=fast&rate=", 200),  # the first value counts
        ("/audio/reports/../../config.mp3", 404),
        ("/audio/reports/" + "a" * 64 + ".mp3", 404),
        ("/audio/reports/" + "G" * 64 + ".mp3", 404),
    ],
)
def test_hostile_download_requests_are_refused_plainly(client, url, status):
    assert client.get(url).status_code == status


def test_without_a_server_voice_the_download_says_so(tmp_path, content):
    client = make_app(tmp_path, content, SPEECH_DISABLED=True).test_client()
    response = client.get(f"/r/{SLUG}/report.mp3?voice=cmn")
    assert response.status_code == 503 and response.mimetype == "text/html"


HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.speech
def test_the_download_links_and_the_page_while_it_is_prepared_read_in_english(client):
    client.get("/settings?lang=en&next=/")
    links = cover_links(client, "Download the audio")
    assert {"Mandarin MP3 (with chapters)", "Cantonese playlist (M3U)"} <= set(links)
    response = client.get(links["Cantonese MP3 (with chapters)"])
    assert response.status_code == 503
    soup = soup_of(response)
    assert soup.h1.get_text(strip=True) == "The audio of the whole report is being prepared"
    assert len(soup.find_all("h1")) == 1 and soup.select_one("main#main") and soup.title.string
    assert soup.find("a", string="Back to the report's cover")["href"] == f"/r/{SLUG}/"
    for text in soup.find_all(string=HAN):
        if text.parent.name not in ("script", "title"):
            assert text.find_parent(attrs={"lang": re.compile("^zh")}), text


@pytest.mark.parametrize("config", [{"KIOSK": True}, {"SPEECH_DISABLED": True}])
def test_no_download_is_offered_at_a_kiosk_or_without_a_server_voice(tmp_path, content, config):
    soup = soup_of(make_app(tmp_path, content, **config).test_client().get(f"/r/{SLUG}/"))
    assert soup.h1 and soup.find(id="rd-downloads-title") is None
    assert not soup.select('a[href*="report.mp3"], a[href*="playlist.m3u8"]')
