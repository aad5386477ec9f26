"""Whole reports to take away: one MP3 per voice with a chapter per section, and an M3U.

`/r/<slug>/report.mp3?voice=&rate=` (the reader's voice and rate when not given) works out
which file the report's current text makes (reader.speech.report_audio) and redirects to it
at `/audio/reports/<key>.mp3`, content-addressed and cacheable forever, served with its
file name, ETag and ranges. A report whose sentences are all in the sentence cache is
assembled there and then (no voice is needed, see bench/report_audio.py); one that is not
gets a page at once saying it is being prepared, how far along it is, and to try again,
while reader.speech.report_preparer makes it in the background. Queueing a report costs
the client one token of its speech limit; too many waiting, and the page says the voices
are busy. A request never waits on a voice.

`/r/<slug>/playlist.m3u8` lists the report's pages, each by the URL of its page audio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import quote

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from reader import library
from reader.speech.audio import AudioCache, CacheUnavailable, remove_stale_temp_files
from reader.speech.errors import SynthesisError
from reader.speech.report_audio import (
    NOT_ASCII_NAME,
    MissingSentences,
    ReportAudioStore,
    m3u_playlist,
    plan,
    text_digest,
)
from reader.speech.report_preparer import ReportPreparer
from reader.speech.voices import RATES, VOICE_BY_CODE, VOICE_TABLE, VOICES
from reader.web import store
from reader.web.speech_views import ONE_YEAR, RETRY_AFTER, over_limit, private_to_reader

bp = Blueprint("downloads", __name__)

PREPARING_RETRY_AFTER = 30  # seconds: a report's sentences take a while to make
RFC5987_SAFE = "!#$&+-.^_`|~"  # attr-chars besides letters and digits


@dataclass(frozen=True)
class Offer:
    """One voice's downloads on a report's cover, with what is known of its MP3."""

    voice_label: str
    mp3_url: str
    playlist_url: str
    megabytes: str | None
    minutes: int | None


def init_app(app: Flask) -> None:
    """A ReportAudioStore beside the sentence cache, and its background preparer; call
    after speech_views.init_app, whose AudioCache it reads."""
    cache: AudioCache = app.extensions["audio_cache"]
    reports = ReportAudioStore(app.config["AUDIO_DIR"])
    remove_stale_temp_files(reports.directory)
    app.extensions["report_audio"] = reports
    app.extensions["report_preparer"] = ReportPreparer(cache, reports)


def offers(report, pages, rate: str) -> list[Offer]:
    """For the cover: each voice's MP3 and playlist at `rate`, with the MP3's size and
    length when one of the report's current text was made before. None without a server voice."""
    if current_app.config["SPEECH_DISABLED"]:
        return []
    reports: ReportAudioStore = current_app.extensions["report_audio"]
    digest = text_digest(report, pages)
    made = []
    for voice in VOICE_TABLE:
        known = reports.known(report.slug, voice.code, rate, digest)
        made.append(
            Offer(
                voice.label,
                url_for("downloads.report_mp3", slug=report.slug, voice=voice.code, rate=rate),
                url_for("downloads.playlist", slug=report.slug, voice=voice.code, rate=rate),
                f"{known[0] / 1_000_000:.1f}" if known else None,
                max(1, math.ceil(known[1] / 60)) if known else None,
            )
        )
    return made


@bp.get("/r/<slug>/report.mp3")
def report_mp3(slug: str):
    """The whole report in one voice: a redirect to its MP3, or a page saying it is being made."""
    report, pages = _report_and_pages(slug)
    voice, rate = _voice_and_rate()
    cache: AudioCache = current_app.extensions["audio_cache"]
    reports: ReportAudioStore = current_app.extensions["report_audio"]
    try:
        audio = plan(cache, report, pages, voice, rate)
        reports.make(audio, cache)
    except MissingSentences as missing:
        return _preparing(audio, len(missing.keys))
    except (SynthesisError, CacheUnavailable, ValueError) as exc:  # no voice, or no cache
        current_app.logger.warning("report %s (%s, %s): no audio: %s", slug, voice, rate, exc)
        return _page("暂时无法提供音频", "这台服务器现在不能制作语音，请稍后再试。")
    return private_to_reader(redirect(url_for("downloads.stored_mp3", key=audio.key), 302))


@bp.get("/audio/reports/<key>.mp3")
def stored_mp3(key: str):
    """A whole-report MP3 by its key: ranges, ETag, and its file name for the download."""
    stored = current_app.extensions["report_audio"].stored(key) or abort(404)
    response = send_file(
        stored.path, mimetype="audio/mpeg", conditional=True, etag=stored.sha256, max_age=ONE_YEAR
    )
    response.headers["Content-Disposition"] = _attachment(stored.filename, stored.ascii_filename)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@bp.get("/r/<slug>/playlist.m3u8")
def playlist(slug: str):
    """The report's pages as an M3U playlist of their page audio, in one voice."""
    report, pages = _report_and_pages(slug)
    voice, rate = _voice_and_rate()
    entries = [
        (
            page.n,
            page.heading_path[-1] if page.heading_path else "",
            url_for("speech.page_audio", slug=slug, n=page.n, voice=voice, rate=rate, _external=True),
        )
        for page in pages
    ]
    response = current_app.response_class(
        m3u_playlist(report.title, entries), mimetype="audio/x-mpegurl"
    )
    response.headers["Content-Disposition"] = _attachment(
        f"{report.title}（{VOICE_BY_CODE[voice].label}）.m3u8", f"{slug}-{voice}-{rate}.m3u8"
    )
    return private_to_reader(response)


def _report_and_pages(slug: str):
    conn = store.connection()
    report = library.report(conn, slug) or abort(404)
    return report, library.pages(conn, slug)


def _voice_and_rate() -> tuple[str, str]:
    """?voice= and ?rate=, each the reader's own setting when not given; 400 if unknown."""
    voice = request.args.get("voice", g.settings.voice)
    rate = request.args.get("rate", g.settings.rate)
    if voice not in VOICES or rate not in RATES:
        abort(400)
    if current_app.config["SPEECH_DISABLED"]:
        abort(503)
    return voice, rate


def _preparing(audio, missing: int):
    """503 with a page saying how far the report's audio is, after queueing it (a GET only)."""
    preparer: ReportPreparer = current_app.extensions["report_preparer"]
    queue = request.method == "GET" and not preparer.is_preparing(audio)
    if queue and (over_limit() is not None or not preparer.prepare(audio)):
        return _page("语音正忙", "现在要制作的音频太多，请过几分钟再试。")
    total = len(audio.sentence_keys)
    response = _page(
        "正在准备整份报告的音频", "准备好后，再点一次下载即可。",
        done=total - missing, total=total,
        retry=url_for("downloads.report_mp3", slug=audio.slug, voice=audio.voice, rate=audio.rate),
    )
    response.headers["Retry-After"] = str(PREPARING_RETRY_AFTER)
    return response


def _page(title: str, explanation: str, **progress):
    """503: a page (not audio) saying why there is no file yet, with the way back."""
    cover = url_for("reports.cover", slug=request.view_args["slug"])
    body = render_template(
        "reports/audio_status.html", title=title, explanation=explanation, cover=cover, **progress
    )
    response = current_app.response_class(body, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return private_to_reader(response)


def _attachment(filename: str, ascii_filename: str) -> str:
    """Content-Disposition naming the file in UTF-8 (RFC 5987) with an ASCII fallback;
    neither can carry a quote or a line break out of the header, whatever a record says."""
    fallback = NOT_ASCII_NAME.sub("-", ascii_filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe=RFC5987_SAFE)}"
