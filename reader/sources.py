"""Read a file of `content/` as text: find its encoding, refuse what is not text.

The order is the one browsers and our scrapes make trustworthy: a byte-order mark,
then the charset an HTML page declares in its first bytes, then strict UTF-8, then
GB18030 (a superset of GBK and GB2312, what most older Guangdong portals send), then
a detector, used only when it is confident. A declared charset that does not decode
the bytes is not believed; the next step is tried and the file carries a warning.
"""

from __future__ import annotations

import codecs
import itertools
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from reader.report import ReportError

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
DEFAULT_MAX_SOURCE_BYTES = 20 * 1024 * 1024  # a report over this is refused unread (20 MiB)
# BeautifulSoup costs about 1.2 KB and 15 µs an element, so a page with more than this is
# refused before it is parsed. A portal's page has a few thousand elements, a report with
# a table of 2,000 rows some 25,000, a 20 MB page of paragraphs some 33,000; this many
# cost some 120 MB and 3 s (bench/ingest_limits.py, at-element-limit).
DEFAULT_MAX_HTML_ELEMENTS = 100_000
ELEMENT_START = re.compile(r"<[A-Za-z]")  # what a parser would open an element for
META_SNIFF_BYTES = 4096
HTML_SNIFF_CHARS = 1024
BINARY_SNIFF_BYTES = 8192
MAX_CONTROL_BYTE_SHARE = 0.05
MAX_RARE_CHAR_SHARE = 0.02
MAX_DETECTOR_CHAOS = 0.05
MIN_DETECTED_CJK_SHARE = 0.3

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
BINARY_SIGNATURES = (
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP/Office"),
    (b"\xd0\xcf\x11\xe0", "Word/Excel 97"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\x1f\x8b", "gzip"),
)
META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([a-z0-9_.:-]+)", re.IGNORECASE)
# Labels pages declare whose bytes are really GB18030-compatible, per the WHATWG encoding standard.
GB_LABELS = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb_2312", "chinese", "csgb2312", "iso-ir-58", "gb18030"}
HTML_START = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
# What no reader should meet in a report: C0 and C1 controls (tab and newline kept), and the
# invisible format characters a page can smuggle in - bidi embeddings, overrides, isolates and
# marks, which reorder what a reader sees; zero widths; soft hyphens; interlinear annotation.
INVISIBLE_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
LINE_SEPARATORS = re.compile("\r\n?|[\f\v\x85\u2028\u2029]")
FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
# Characters a GBK-family decode of non-Chinese bytes produces: private use, CJK extension A, C1 controls.
RARE_CHARS = re.compile(r"[\ue000-\uf8ff\u3400-\u4dbf\x80-\x9f]")
CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
ALLOWED_CONTROLS = b"\t\n\r\f\v\x1b"
CONTROL_BYTES = bytes(b for b in range(0x20) if b not in ALLOWED_CONTROLS)


@dataclass(frozen=True)
class Source:
    """A report file decoded to text, newlines normalised to LF.

    `warnings` name doubts about the decoding (a false charset declaration, a guess).
    """

    text: str
    is_html: bool
    warnings: tuple[str, ...] = ()


def read_source(
    path: Path,
    max_bytes: int = DEFAULT_MAX_SOURCE_BYTES,
    max_elements: int = DEFAULT_MAX_HTML_ELEMENTS,
) -> Source:
    """Read and decode one file. Raises ReportError with one line naming the file."""
    path = Path(path)
    data = read_regular_file(path, max_bytes)
    _refuse_empty_or_binary(path, data)
    text, warnings = _decode(path, data)
    text = visible_text(text)
    if not text.strip():
        raise ReportError(f"{path}: empty file")
    is_html = path.suffix.lower() in HTML_SUFFIXES or looks_like_html(text)
    if is_html and over_element_limit(text, max_elements):
        raise ReportError(f"{path}: too many HTML elements: over the limit of {max_elements}")
    return Source(text=text, is_html=is_html, warnings=tuple(warnings))


def over_element_limit(text: str, limit: int) -> bool:
    """Whether a page opens more than `limit` elements, counted without parsing it."""
    if text.count("<") <= limit:  # no more tags of any kind than that: no need to look closer
        return False
    return sum(1 for _ in itertools.islice(ELEMENT_START.finditer(text), limit + 1)) > limit


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, else a ReportError.

    A FIFO, device, socket or directory is refused from its status, never opened (opening
    a FIFO blocks until something writes to it); the file is then opened without blocking
    and checked again, in case it was swapped between the two looks. A file that changes
    size while being read (still being copied) is refused too: the next build reads it whole.
    """
    try:
        kind = file_kind(os.stat(path).st_mode)
        if kind:
            raise ReportError(f"{path}: {kind}, not a file")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with open(fd, "rb") as file:
        before = os.fstat(fd)
        if file_kind(before.st_mode):
            raise ReportError(f"{path}: {file_kind(before.st_mode)}, not a file")
        if before.st_size > max_bytes:
            raise ReportError(f"{path}: too big: {before.st_size} bytes, over the limit of {max_bytes}")
        try:
            data = file.read(max_bytes + 1)
        except OSError as exc:
            raise ReportError(f"{path}: cannot read: {exc.strerror or exc}") from None
        after = os.fstat(fd)
    if len(data) > max_bytes:
        raise ReportError(f"{path}: too big: over the limit of {max_bytes} bytes")
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or len(
        data
    ) != after.st_size:
        raise ReportError(f"{path}: changed while being read: still being written?")
    return data


def file_kind(mode: int) -> str:
    """What a status says a path is, when it is not a regular file ("" when it is)."""
    return next((kind for is_kind, kind in FILE_KINDS if is_kind(mode)), "")


def visible_text(text: str) -> str:
    """Text without control and invisible format characters, every line break a LF."""
    return INVISIBLE_CHARS.sub("", LINE_SEPARATORS.sub("\n", text))


def looks_like_html(text: str) -> bool:
    """True when the text starts as an HTML document does (a doctype, html, head or body tag)."""
    start = text.lstrip()[:HTML_SNIFF_CHARS]
    return start.startswith("<") and HTML_START.search(start) is not None


def _refuse_empty_or_binary(path: Path, data: bytes) -> None:
    if not data.strip():
        raise ReportError(f"{path}: empty file")
    if any(data.startswith(bom) for bom, _ in BOMS):
        return  # UTF-16/32 text holds NUL bytes; the BOM vouches for it.
    for signature, kind in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise ReportError(f"{path}: binary file ({kind}), not text or HTML")
    head = data[:BINARY_SNIFF_BYTES]
    if b"\x00" in head:
        raise ReportError(f"{path}: binary file (NUL bytes), not text or HTML")
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    if controls > MAX_CONTROL_BYTE_SHARE * len(head):
        raise ReportError(f"{path}: binary file (control bytes), not text or HTML")


def _decode(path: Path, data: bytes) -> tuple[str, list[str]]:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), []
            except UnicodeDecodeError:
                raise ReportError(f"{path}: cannot decode: byte-order mark says {encoding}, bytes disagree") from None

    warnings = []
    label = declared_charset_label(data)
    declared = codec_for_label(label) if label else None
    if declared:
        text = _strict(data, declared)
        if text is not None:
            return text, []
        warnings.append(f"declares charset {label} but its bytes are not {label}")

    text = _strict(data, "utf-8")
    if text is not None:
        return text, warnings
    text = _strict(data, "gb18030")
    if text is not None and _plausible(text):
        return text, warnings

    guess = _detect(data)
    if guess is not None:
        text, encoding = guess
        warnings.append(f"encoding guessed as {encoding}: no BOM or charset, not UTF-8 or GB18030")
        return text, warnings
    raise ReportError(f"{path}: cannot decode: not UTF-8 or GB18030 and no confident guess")


def declared_charset_label(data: bytes) -> str | None:
    """The charset an HTML page's <meta charset> or http-equiv Content-Type declares, lower-cased."""
    match = META_CHARSET.search(data[:META_SNIFF_BYTES])
    return match.group(1).decode("ascii", "replace").lower() if match else None


def codec_for_label(label: str) -> str | None:
    """The Python codec that reads what a page labelled `label` holds, or None if unknown."""
    if label in GB_LABELS:
        return "gb18030"
    if label.startswith("utf-16"):
        return "utf-8"  # a page cannot declare UTF-16 in ASCII-compatible bytes; browsers read UTF-8
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _plausible(text: str) -> bool:
    return len(RARE_CHARS.findall(text)) <= MAX_RARE_CHAR_SHARE * len(text)


def _detect(data: bytes) -> tuple[str, str] | None:
    """A detector's reading, only when it is confident and reads as Chinese text."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > MAX_DETECTOR_CHAOS:
        return None
    text = str(best)
    visible = "".join(text.split())
    if not _plausible(text) or len(CJK_CHAR.findall(visible)) < MIN_DETECTED_CJK_SHARE * len(visible):
        return None
    return text, best.encoding
