"""A whole report as one MP3 per voice and rate, with an ID3 chapter for each section.

Made from the sentence audio cache (reader.speech.audio) without a voice: a report's file
is its sentences' files one after another, with silence between them (reader.speech.joining,
which reads one sentence at a time), behind an ID3 tag holding its title and chapters
(CTOC and CHAP frames, ID3v2.3 for the players that read nothing newer). A report
already read costs nothing new; for one that is not, its missing sentences are made first
(reader.speech.report_preparer, or `reader synthesise --reports`) and this only assembles.

A file's key is the sha256 of all it is made of: its sentences' keys (each naming text,
voice, rate and engine), the sections and the tags. So it never goes stale: a changed
report, rate or engine gives a new key. Files live beside the sentence cache but apart from
it, in `<AUDIO_DIR>/reports/<key[:2]>/<key>.mp3`, with `<key>.json` saying what was stored
(size, sha256, length, file names, chapters) and checked on every serve, like a sentence's.
A `.latest` file for each report, voice and rate remembers the last file made and the
digest of the text it speaks, so the cover can tell its size and length without a key.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import CHAP, CTOC, ID3, TALB, TCON, TDRC, TIT2, TLEN, TPE1, CTOCFlags, Encoding

from reader.report import Page, Report
from reader.speech import cache_files
from reader.speech.audio import AudioCache, UnknownAudio, is_audio_key
from reader.speech.joining import MixedFormats, joined_mp3, timeline
from reader.speech.spoken import spoken_form
from reader.speech.voices import DEFAULT_RATE, RATE_TABLE, VOICE_BY_CODE

FORMAT = 1  # how a report's file is put together; a change gives every report a new key
SENTENCE_GAP = 0.3  # seconds of silence between the sentences of a section
SECTION_GAP = 1.0  # seconds of silence before each section after the first
FOLDER = "reports"  # under AUDIO_DIR
FILENAME_TITLE_CHARS = 60  # of the title, in a download's file name
UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9._-]+")
UNSAFE_LINE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")  # would break an M3U line
NO_BYTE_OFFSET = 0xFFFFFFFF  # CHAP: chapters are found by time alone


class MissingSentences(Exception):
    """Some of a report's sentence audio is not made yet, so its MP3 cannot be assembled."""

    def __init__(self, keys: list[str]) -> None:
        super().__init__(f"{len(keys)} sentences not yet made")
        self.keys = keys


@dataclass(frozen=True)
class Section:
    title: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class ReportAudio:
    """What one whole-report MP3 is made of: its sentence audio, section by section, and tags."""

    key: str
    slug: str
    voice: str
    rate: str
    title: str
    artist: str  # the publishing body (信息来源), else the place
    date: str | None
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (title, sentence audio keys)
    text_digest: str  # of the text it speaks (see text_digest)

    @property
    def sentence_keys(self) -> list[str]:
        return [key for _title, keys in self.sections for key in keys]

    @property
    def filename(self) -> str:
        """A file name for the download: the title, then the voice (and the rate if not
        the usual one), e.g. 中山市西区2023年工作计划（普通话）.mp3."""
        title = UNSAFE_IN_FILENAME.sub(" ", self.title).strip()[:FILENAME_TITLE_CHARS] or self.slug
        spoken_as = [VOICE_BY_CODE[self.voice].label]
        if self.rate != DEFAULT_RATE:
            spoken_as.append(next(r.label for r in RATE_TABLE if r.name == self.rate) + "速")
        return f"{title}（{'，'.join(spoken_as)}）.mp3"

    @property
    def ascii_filename(self) -> str:
        """The file name for a client that cannot read RFC 5987's UTF-8 one."""
        return NOT_ASCII_NAME.sub("-", f"{self.slug}-{self.voice}-{self.rate}") + ".mp3"


@dataclass(frozen=True)
class StoredReportAudio:
    """A report's MP3 in the store, its size and sha256 the ones its record holds."""

    path: Path
    size: int
    sha256: str
    seconds: float
    filename: str
    ascii_filename: str


def sections_of(title: str, pages: Iterable[Page]) -> list[Section]:
    """The report's sections in reading order: one for each heading of its 目录, and one
    named by the report's title for any text before the first heading."""
    sections: list[tuple[str, list[str]]] = []
    for page in pages:
        for index, block in enumerate(page.blocks):
            if page.begins_heading(index):
                sections.append((block.display, []))
            elif not sections:
                sections.append((title, []))
            sections[-1][1].extend(block.sentences)
    return [Section(name, tuple(sentences)) for name, sentences in sections]


def artist_of(report: Report) -> str:
    return report.source or " ".join(filter(None, (report.city, report.district)))


def text_digest(report: Report, pages: Iterable[Page]) -> str:
    """The sha256 of what a report's audio says and is tagged with, in any voice: cheap to
    work out (no spoken forms, no keys), so the cover can ask what is known of it."""
    sections = [[s.title, list(s.sentences)] for s in sections_of(report.title, pages)]
    return _digest([report.title, artist_of(report), report.date, sections])


def plan(cache: AudioCache, report: Report, pages: list[Page], voice: str, rate: str) -> ReportAudio:
    """The whole-report MP3 of `report` in `voice` at `rate`, with each sentence's request
    record written, so that the sentences can be made (by any process) and the file
    assembled. Synthesises nothing; raises NoVoice or CacheUnavailable as `cache.request`."""
    keyed = []
    for section in sections_of(report.title, pages):
        spoken = (spoken_form(sentence, voice) for sentence in section.sentences)
        keys = tuple(cache.request(said, voice, rate) for said in spoken if said.strip())
        if keys:
            keyed.append((section.title, keys))
    facts = [report.title, artist_of(report), report.date]
    key = _digest(["report", FORMAT, voice, rate, *facts, keyed, SENTENCE_GAP, SECTION_GAP])
    return ReportAudio(
        key, report.slug, voice, rate, *facts, tuple(keyed), text_digest(report, pages)
    )


class ReportAudioStore:
    """Whole-report MP3s in `<audio_dir>/reports`, assembled from an AudioCache's sentences.

    Safe to share between threads and processes: files are written whole, the first
    writer of a key wins, and every file is checked against its record when it is served.
    """

    def __init__(self, audio_dir: str | Path) -> None:
        self.directory = Path(audio_dir) / FOLDER

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.mp3"

    def record_path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def stored(self, key: str) -> StoredReportAudio | None:
        """The MP3 for `key` if its record is good and the file is the one recorded; a
        damaged file or record is removed (and made again when next asked for)."""
        if not is_audio_key(key):
            return None
        record = self._record(key)
        if record is None:
            return None
        path = self.path(key)
        try:
            size = path.stat().st_size
            with open(path, "rb") as mp3:
                digest = hashlib.file_digest(mp3, "sha256").hexdigest()
        except FileNotFoundError:
            size = digest = None
        if size != record["bytes"] or digest != record["sha256"]:
            cache_files.discard(self.record_path(key))
            cache_files.discard(path)
            return None
        return StoredReportAudio(
            path, size, digest, record["seconds"], record["filename"], record["ascii_filename"]
        )

    def missing(self, audio: ReportAudio, cache: AudioCache) -> list[str]:
        """The keys of the report's sentences whose audio is not made yet."""
        return [key for key in audio.sentence_keys if _sentence_file(cache, key) is None]

    def make(self, audio: ReportAudio, cache: AudioCache) -> StoredReportAudio:
        """The report's MP3, assembled from its stored sentence audio if not yet made.

        Raises MissingSentences when some are not made yet; never starts a voice.
        """
        stored = self.stored(audio.key)
        if stored is None:
            stored = self._assemble(audio, cache)
        self._remember(audio, stored)
        return stored

    def known(self, slug: str, voice: str, rate: str, digest: str) -> tuple[int, float] | None:
        """(bytes, seconds) of the last MP3 made of this report's current text in `voice`
        at `rate`, None if there is none; reads two small files and hashes nothing."""
        try:
            latest = json.loads(self._latest_path(slug, voice, rate).read_bytes())
            if latest.get("text") != digest or not is_audio_key(latest.get("key", "")):
                return None
            record = self._record(latest["key"])
        except (OSError, ValueError, AttributeError):
            return None
        if record is None or not self.path(latest["key"]).exists():
            return None
        return record["bytes"], record["seconds"]

    def _assemble(self, audio: ReportAudio, cache: AudioCache) -> StoredReportAudio:
        files, missing = {}, []
        for key in audio.sentence_keys:
            if (path := _sentence_file(cache, key)) is None:
                missing.append(key)
            else:
                files[key] = path
        if missing:
            raise MissingSentences(missing)
        parts, firsts = [], []  # (gap, file) in order; where each section starts in them
        for n, (_title, keys) in enumerate(audio.sections):
            firsts.append(len(parts))
            for i, key in enumerate(keys):
                parts.append((SECTION_GAP if n and not i else SENTENCE_GAP if i else 0.0, files[key]))
        try:
            starts, seconds = timeline(parts)
        except MixedFormats as exc:
            raise ValueError(f"report {audio.slug}: its sentence audio is in two formats: {exc}") from None
        chapter_starts = [starts[first] for first in firsts]
        ends = chapter_starts[1:] + [seconds]
        chapters = [
            (title, start, end)
            for (title, _keys), start, end in zip(audio.sections, chapter_starts, ends, strict=True)
        ]
        tag = _id3(audio, chapters, seconds)
        sha256, size = hashlib.sha256(), 0

        def hashed(pieces: Iterable[bytes]) -> Iterator[bytes]:
            nonlocal size
            for piece in pieces:
                sha256.update(piece)
                size += len(piece)
                yield piece

        path = self.path(audio.key)
        if not cache_files.write_once(path, hashed(itertools.chain([tag], joined_mp3(parts)))):
            stored = self.stored(audio.key)  # another process made it first
            if stored is None:
                raise MissingSentences([])  # not yet recorded by its maker: ask again soon
            return stored
        record = {
            "key": audio.key,
            "bytes": size,
            "sha256": sha256.hexdigest(),
            "seconds": round(seconds, 3),
            "filename": audio.filename,
            "ascii_filename": audio.ascii_filename,
            "chapters": [[title, round(start, 3)] for title, start, _end in chapters],
        }
        cache_files.replace(self.record_path(audio.key), cache_files.record_bytes(record))
        return StoredReportAudio(
            path, size, record["sha256"], record["seconds"], audio.filename, audio.ascii_filename
        )

    def _record(self, key: str) -> dict | None:
        try:
            record = json.loads(self.record_path(key).read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            record = None
        good = (
            isinstance(record, dict)
            and record.get("key") == key
            and type(record.get("bytes")) is int
            and isinstance(record.get("sha256"), str)
            and isinstance(record.get("seconds"), int | float)
            and isinstance(record.get("filename"), str)
            and isinstance(record.get("ascii_filename"), str)
        )
        if not good:
            cache_files.discard(self.record_path(key))
            cache_files.discard(self.path(key))
            return None
        return record

    def _remember(self, audio: ReportAudio, stored: StoredReportAudio) -> None:
        path = self._latest_path(audio.slug, audio.voice, audio.rate)
        latest = cache_files.record_bytes({"text": audio.text_digest, "key": audio.key})
        try:
            if not path.exists() or path.read_bytes() != latest:
                path.parent.mkdir(parents=True, exist_ok=True)
                cache_files.replace(path, latest)
        except OSError:
            pass  # the cover just will not say the size

    def _latest_path(self, slug: str, voice: str, rate: str) -> Path:
        """In the buckets of the MP3s, so that start-up's sweep of temporary files finds
        any a crash left beside it."""
        name = _digest([slug, voice, rate])
        return self.directory / name[:2] / f"{name}.latest"


def _sentence_file(cache: AudioCache, key: str) -> Path | None:
    try:
        stored = cache.stored(key)
    except UnknownAudio:
        return None
    return stored.path if stored else None


def _id3(audio: ReportAudio, chapters: list[tuple[str, float, float]], seconds: float) -> bytes:
    """The ID3v2.3 tag: title, publisher as artist, the title again as album (as players
    group an audiobook's chapters), date, length, and the chapters in a table of contents."""
    tags = ID3()
    tags.add(TIT2(encoding=Encoding.UTF8, text=[audio.title]))
    tags.add(TALB(encoding=Encoding.UTF8, text=[audio.title]))
    if audio.artist:
        tags.add(TPE1(encoding=Encoding.UTF8, text=[audio.artist]))
    if audio.date:
        tags.add(TDRC(encoding=Encoding.UTF8, text=[audio.date]))
    tags.add(TCON(encoding=Encoding.UTF8, text=["Speech"]))
    tags.add(TLEN(encoding=Encoding.UTF8, text=[str(round(seconds * 1000))]))
    ids = [f"chp{n}" for n in range(len(chapters))]
    tags.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=Encoding.UTF8, text=[audio.title])],
        )
    )
    for element_id, (title, start, end) in zip(ids, chapters, strict=True):
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=round(start * 1000),
                end_time=round(end * 1000),
                start_offset=NO_BYTE_OFFSET,
                end_offset=NO_BYTE_OFFSET,
                sub_frames=[TIT2(encoding=Encoding.UTF8, text=[title])],
            )
        )
    out = io.BytesIO()
    tags.save(out, v2_version=3, padding=lambda _info: 0)
    return out.getvalue()


def _digest(value) -> str:
    payload = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def m3u_playlist(title: str, pages: Iterable[tuple[int, str, str]]) -> str:
    """An extended M3U (UTF-8) of a report's pages, each (number, heading, audio URL), for
    a player that takes a playlist: each entry titled by the report, page and heading."""
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(title)}"]
    for n, heading, url in pages:
        name = " · ".join(filter(None, (_one_line(title), f"第 {n} 页", _one_line(heading))))
        lines += [f"#EXTINF:-1,{name}", url]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(UNSAFE_LINE.sub(" ", text).split())
