"""Audio of spoken text: `GET /audio/<key>.mp3`, cacheable forever.

The key names a request (text, voice, rate, engine; see reader.speech.audio), so a URL
never changes meaning. Its bytes can: audio found damaged is made again, and espeak-ng
need not give the same bytes twice. So the ETag is the sha256 of the bytes actually sent,
never the key, and a conditional or If-Range request made with old bytes' tag gets the
new bytes whole rather than a 304 or a range spliced from two different files.

`immutable` and a year's max-age stay on every whole answer. Any whole MP3 of the request
is a right answer to its URL, so a listener's copy of the earlier bytes may be kept; what
must never happen is two different byte strings under one validator, and the hash ETag
rules that out. Audio whose request record exists but which is not yet made is
synthesised on the first fetch (page audio: joined from its sentences' audio, each made
if missing), and streamed: a plain GET gets each piece of MP3 as soon as it is encoded (no length is known yet, so this one response ignores a "bytes=0-"
range). Its hash is not known when its headers go, so it carries no ETag, and no cache can
join it to ranges of another file. The file stored meanwhile has exactly those bytes and
serves every later request, with ranges and 304s.

A cache that cannot be written costs a listener nothing they would hear: audio made but
not stored is sent from memory, and a manifest whose request records cannot be written
gives no audio URLs, so the player uses the browser's voice. HEAD answers from the
record and the stored file, and never starts a voice.
"""

from __future__ import annotations

import contextlib
import hashlib
import math

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    request,
    send_file,
    url_for,
)

from reader import library
from reader.outline import outline_of, outline_sentences
from reader.speech.audio import (
    AudioCache,
    CacheUnavailable,
    MakingAudio,
    StoredAudio,
    UnknownAudio,
    is_audio_key,
)
from reader.speech.errors import NoVoice, SynthesisError
from reader.speech.limits import SpeechLimit
from reader.speech.pool import SpeechPool
from reader.speech.spoken import spoken_form
from reader.speech.synthesiser import Synthesiser
from reader.speech.voices import VOICE_BY_CODE, pause_seconds
from reader.speech.word_timing import display_words
from reader.web import page_cache, store
from reader.web.i18n import in_script
from reader.web.page_view import view_of

bp = Blueprint("speech", __name__)

ONE_YEAR = 365 * 24 * 3600
RETRY_AFTER = 2  # seconds, when the voices are busy


def init_app(app: Flask) -> None:
    """Give `app` a Synthesiser and an AudioCache in AUDIO_DIR (workers start on first use).

    Config (see reader.config): AUDIO_DIR, SPEECH_WORKERS, SPEECH_TIMEOUT, SPEECH_QUEUE,
    SPEECH_BACKOFF, SPEECH_BACKOFF_MAX, SPEECH_REQUESTS (the SpeechPool), and the per-client limit SPEECH_BURST,
    SPEECH_PER_MINUTE, SPEECH_LIMIT_EXEMPT. The blueprint `bp` is registered by the app
    factory.
    """
    synthesiser = Synthesiser(
        workers=app.config["SPEECH_WORKERS"],
        timeout=app.config["SPEECH_TIMEOUT"],
        queue_size=app.config["SPEECH_QUEUE"],
        backoff=app.config["SPEECH_BACKOFF"],
        max_backoff=app.config["SPEECH_BACKOFF_MAX"],
    )
    app.extensions["speech_limit"] = SpeechLimit(
        burst=app.config["SPEECH_BURST"],
        per_minute=app.config["SPEECH_PER_MINUTE"],
        exempt=app.config["SPEECH_LIMIT_EXEMPT"],
    )
    app.extensions["speech_synthesiser"] = synthesiser
    app.extensions["speech_pool"] = SpeechPool(app.config["SPEECH_REQUESTS"])
    app.extensions["audio_cache"] = AudioCache(app.config["AUDIO_DIR"], synthesiser)


@bp.get("/audio/<key>.mp3")
def audio(key: str):
    """The MP3 for `key`; Range requests get 206, If-None-Match gets 304, HEAD makes nothing.

    Audio not yet made is streamed to a plain GET as it is encoded (see the module).
    """
    if not is_audio_key(key):
        abort(404)
    cache: AudioCache = current_app.extensions["audio_cache"]
    if request.method == "HEAD":
        return _audio_head(cache, key)
    pool: SpeechPool | None = None  # a place in the speech pool, held while audio is made
    if not cache.path(key).exists():
        if refused := over_limit():
            return refused
        if not (pool := current_app.extensions["speech_pool"]).enter():
            return _unavailable("the voices are busy")
    try:
        made = cache.stream(key)
        if isinstance(made, MakingAudio) and not _may_stream():
            with contextlib.closing(made):
                made = made.finish()
    except UnknownAudio:
        _leave(pool)
        abort(404)
    except (SynthesisError, CacheUnavailable) as exc:  # the browser speaks instead
        _leave(pool)
        current_app.logger.warning("audio %s not made: %s", key, exc)
        return _unavailable("speech is unavailable for now")
    except BaseException:
        _leave(pool)
        raise
    if isinstance(made, MakingAudio) and pool is not None:
        made.on_release(pool.leave)  # the place is held until the stream is over
    else:
        _leave(pool)
    if isinstance(made, MakingAudio):
        response = current_app.response_class(made, mimetype="audio/mpeg", direct_passthrough=True)
        response.headers["Accept-Ranges"] = "bytes"  # of the resource: later fetches get 206
        # nginx keeps the stored file's answer instead, with its length, ETag and ranges
        response.headers["X-Accel-Expires"] = "0"
    elif isinstance(made, StoredAudio):
        response = send_file(
            made.path, mimetype="audio/mpeg", conditional=True, etag=made.sha256, max_age=ONE_YEAR
        )
    else:  # made, but the cache would not keep it
        response = current_app.response_class(made, mimetype="audio/mpeg")
        response.set_etag(hashlib.sha256(made).hexdigest())
        response.make_conditional(request, accept_ranges=True, complete_length=len(made))
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


def _leave(pool: SpeechPool | None) -> None:
    if pool is not None:
        pool.leave()


def _may_stream() -> bool:
    """Whether the whole body, as it is made, answers this request: a GET asking for
    all of it (media elements ask for "bytes=0-"), with nothing to compare against."""
    ranges = request.range
    whole = ranges is None or (ranges.units == "bytes" and ranges.ranges == [(0, None)])
    conditional = request.if_none_match or request.if_modified_since or "If-Range" in request.headers
    return request.method == "GET" and whole and not conditional


def _audio_head(cache: AudioCache, key: str):
    """HEAD: the stored file's headers once it is checked against its record (its size
    and tag), or for audio not yet made (or found damaged) the few its GET will have;
    never a voice started."""
    try:
        stored = cache.stored(key)
    except UnknownAudio:
        abort(404)
    except CacheUnavailable as exc:
        current_app.logger.warning("audio %s: %s", key, exc)
        return _unavailable("speech is unavailable for now")
    response = current_app.response_class(mimetype="audio/mpeg")
    response.headers["Accept-Ranges"] = "bytes"
    if stored is None:
        response.headers["Cache-Control"] = "no-cache"  # length and tag come once it is made
        return response
    response.set_etag(stored.sha256)
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.public = True
    response.cache_control.immutable = True
    response = response.make_conditional(request)
    if response.status_code == 200:
        response.content_length = stored.size
    return response


# --- the speech manifest of a reading page, for static/js/player/manifest.js -------------

@bp.get("/r/<slug>/<int:n>/speech.json")
def manifest(slug: str, n: int):
    """Page n's sentences, each with its display text and audio URL, in the reader's voice.

    Voice, rate and pauses come from the settings cookie, or ?voice=&rate=&pauses=. Shape:
    {"slug", "n", "pages", "voice", "rate", "pauses", "pause_seconds", "lang", "next", "page_audio",
     "sentences": [{"id": "s2-0", "text", "spoken", "audio", "words", "timing"}]}. `text`
    is exactly the sentence span's text; `audio` (and `page_audio`) is null when this
    server has no voice for the language, and the player then asks the browser to speak
    `spoken`. `words` is [[start_ms, char_start, char_end], ...] in `text` once the
    audio is made (null before, and with no audio); `timing` is the URL that gives them
    as soon as the audio is made.
    """
    report, page = _report_and_page(slug, n)
    voice, rate, pauses = _speech_choice()
    sentences, page_key = _spoken_sentences(
        slug, [(n, s) for s in view_of(page).sentences], voice, rate, pauses
    )
    response = jsonify(
        slug=slug,
        n=n,
        pages=report.page_count,
        voice=voice,
        rate=rate,
        pauses=pauses,
        pause_seconds=pause_seconds(pauses, rate),  # after a clause, a sentence
        lang=VOICE_BY_CODE[voice].tag,
        next=url_for("reports.page", slug=slug, n=n + 1) if n < report.page_count else None,
        page_audio=audio_url(page_key),
        sentences=sentences,
    )
    return private_to_reader(page_cache.validated(response))


@bp.get("/r/<slug>/<int:n>/timing/<sid>.json")
def timing(slug: str, n: int, sid: str):
    """When each word of sentence `sid` is said: {"id", "words"} as in the manifest, the
    audio made first if need be (waiting for it when it is being made), so the player
    can follow the words of audio it has only just asked for."""
    _report, page = _report_and_page(slug, n)
    sentence = next((s for s in view_of(page).sentences if s.id == sid), None) or abort(404)
    voice, rate, pauses = _speech_choice()
    (key,) = audio_keys([spoken_form(sentence.text, voice)], voice, rate, pauses)
    if key is None:
        return private_to_reader(jsonify(id=sid, words=None))
    cache: AudioCache = current_app.extensions["audio_cache"]
    try:
        if cache.stored(key) is None:
            if refused := over_limit():
                return refused
            pool: SpeechPool = current_app.extensions["speech_pool"]
            if not pool.enter():
                return _unavailable("the voices are busy")
            try:
                cache.make(key)
            finally:
                pool.leave()
        words = display_words(in_script(sentence.text), cache.timing(key))
    except (UnknownAudio, SynthesisError, CacheUnavailable) as exc:
        current_app.logger.warning("timing of audio %s not made: %s", key, exc)
        return _unavailable("speech is unavailable for now")
    return private_to_reader(jsonify(id=sid, words=words))


@bp.get("/r/<slug>/<int:n>/audio.mp3")
def page_audio(slug: str, n: int):
    """The whole page spoken, for the plain <audio controls>: a redirect to its cacheable MP3.

    The page's HTML names this stable URL, so rendering a page never starts a voice.
    That MP3 is its sentences' own audio joined (reader.speech.audio): what the player
    made is not said again, and it streams from the first sentence on, holding one place
    in the speech pool. Like a sentence's, page audio already made costs the client
    nothing from its limit.
    """
    _report, page = _report_and_page(slug, n)
    return redirect_to_audio(page.sentences)


@bp.get("/r/<slug>/outline/speech.json")
def outline_manifest(slug: str):
    """The 要点 outline's sentences (reader.outline), for 朗读要点: the page manifest's shape,
    with "n": 0, "next": null (the outline ends where it ends) and "outline_audio" for the
    whole of it. Each sentence keeps its reading page's id and audio key, so audio made
    for the page serves the outline too."""
    report, pages = _report_and_pages(slug)
    voice, rate, pauses = _speech_choice()
    placed = [(entry.n, s) for entry in outline_of(pages) for s in entry.sentences]
    sentences, outline_key = _spoken_sentences(slug, placed, voice, rate, pauses)
    response = jsonify(
        slug=slug,
        n=0,
        pages=report.page_count,
        voice=voice,
        rate=rate,
        pauses=pauses,
        pause_seconds=pause_seconds(pauses, rate),
        lang=VOICE_BY_CODE[voice].tag,
        next=None,
        outline_audio=audio_url(outline_key),
        sentences=sentences,
    )
    return private_to_reader(page_cache.validated(response))


@bp.get("/r/<slug>/outline/audio.mp3")
def outline_audio(slug: str):
    """The whole outline spoken, for the plain <audio controls>: a redirect to its MP3."""
    _report, pages = _report_and_pages(slug)
    return redirect_to_audio([s.text for s in outline_sentences(outline_of(pages))])


def redirect_to_audio(text: str | list[str]):
    """A redirect to the MP3 of `text` (a list: its sentences one after another), in the
    reader's voice, rate and pauses; audio not yet made counts against the client's limit,
    as a sentence's does; 503 with Retry-After without a voice (the page then asks the
    browser to speak). One way for every view that offers a text's audio by a stable URL."""
    voice, rate, pauses = _speech_choice()
    spoken = spoken_form(text, voice) if isinstance(text, str) else [spoken_form(s, voice) for s in text]
    (key,) = audio_keys([spoken], voice, rate, pauses)
    if key is None:
        return private_to_reader(_unavailable("speech is unavailable"))
    cache: AudioCache = current_app.extensions["audio_cache"]
    if not cache.path(key).exists() and (refused := over_limit()):
        return refused
    return private_to_reader(redirect(audio_url(key), code=302))


def _spoken_sentences(slug: str, placed: list, voice: str, rate: str, pauses: str):
    """The manifest's entry for each (page n, SentenceView) of `placed`, and the audio key
    of them all said as one (None without a voice)."""
    spoken = [spoken_form(s.text, voice) for _n, s in placed]
    *keys, whole_key = audio_keys([*spoken, spoken], voice, rate, pauses)
    entries = [
        {
            "id": s.id,
            "text": in_script(s.text),
            "spoken": said,
            "audio": audio_url(key),
            "words": _stored_words(in_script(s.text), key),
            "timing": key and url_for(
                "speech.timing", slug=slug, n=n, sid=s.id, voice=voice, rate=rate, pauses=pauses
            ),
        }
        for (n, s), said, key in zip(placed, spoken, keys, strict=True)
    ]
    return entries, whole_key


def _report_and_pages(slug: str):
    conn = store.connection()
    report = library.report(conn, slug) or abort(404)
    return report, [view_of(page) for page in library.pages(conn, slug)]


def _report_and_page(slug: str, n: int):
    conn = store.connection()
    report = library.report(conn, slug) or abort(404)
    return report, library.page(conn, slug, n) or abort(404)


def _speech_choice() -> tuple[str, str, str]:
    """The reader's voice, rate and pauses, or valid ones asked for in ?voice=&rate=&pauses=."""
    names = ("voice", "rate", "pauses")
    chosen = g.settings.updated({name: request.args[name] for name in names if name in request.args})
    return chosen.voice, chosen.rate, chosen.pauses


def _stored_words(display: str, key: str | None) -> list | None:
    """The words of `key`'s audio in `display`, if it is stored; never makes it."""
    if key is None:
        return None
    try:
        return display_words(display, current_app.extensions["audio_cache"].timing(key))
    except (UnknownAudio, CacheUnavailable):
        return None


def audio_keys(spoken: list, voice: str, rate: str, pauses: str) -> list[str | None]:
    """A key (with its request record written) for each utterance, None for one that is
    empty, and all None when speech is off (SPEECH_DISABLED) or there is no voice."""
    if current_app.config["SPEECH_DISABLED"]:
        return [None] * len(spoken)
    cache: AudioCache = current_app.extensions["audio_cache"]
    try:
        return [
            cache.request(said, voice, rate, pauses) if _has_words(said) else None
            for said in spoken
        ]
    except NoVoice as exc:  # the synthesiser logged why, once; the browser speaks meanwhile
        current_app.logger.debug("no %s audio: %s", voice, exc)
    except (SynthesisError, CacheUnavailable) as exc:  # the voices would not start, or no records
        current_app.logger.warning("no %s audio: %s", voice, exc)
    return [None] * len(spoken)


def _has_words(spoken) -> bool:
    return any(s.strip() for s in spoken) if isinstance(spoken, list) else bool(spoken.strip())


def audio_url(key: str | None) -> str | None:
    return url_for("speech.audio", key=key) if key else None


def _unavailable(message: str):
    """503 with a short Retry-After: the player falls back to the browser's own voice."""
    response = current_app.response_class(message, status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def over_limit():
    """429 with Retry-After when this client has had too much new speech made lately
    (reader.speech.limits), else None; the player's browser voice speaks instead."""
    wait = current_app.extensions["speech_limit"].take(request.remote_addr)
    if not wait:
        return None
    seconds = max(1, math.ceil(wait))
    response = current_app.response_class(
        f"too much new speech asked for: try again in {seconds} s",
        status=429,
        mimetype="text/plain",
    )
    response.headers["Retry-After"] = str(seconds)
    response.headers["Cache-Control"] = "no-store"
    return response


def private_to_reader(response):
    """Depends on the reader's settings cookie: never shared, always asked again."""
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")
    return response
