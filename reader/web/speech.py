"""Audio of spoken text: `GET /audio/<key>.mp3`, cacheable forever.

The key is content-addressed (see reader.speech.audio), so a URL never changes
meaning: the response carries the key as its ETag and may be kept for a year.
Audio whose request record exists but which is not yet made is synthesised on the
first fetch.
"""

from __future__ import annotations

import atexit
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, send_file

from reader.speech.audio import AudioCache, UnknownAudio, is_audio_key
from reader.speech.synthesis import Synthesiser, SynthesisError

bp = Blueprint("speech", __name__)

ONE_YEAR = 365 * 24 * 3600
RETRY_AFTER = 2  # seconds, when the voices are busy


def init_app(app: Flask) -> None:
    """Give `app` a Synthesiser and an AudioCache in AUDIO_DIR (workers start on first use).

    Config: AUDIO_DIR, SPEECH_WORKERS (default 1), SPEECH_TIMEOUT (seconds, default 15),
    SPEECH_QUEUE (waiting requests, default 32). The blueprint `bp` is registered by the
    app factory.
    """
    audio_dir = app.config.setdefault("AUDIO_DIR", str(Path(app.instance_path) / "audio"))
    synthesiser = Synthesiser(
        workers=app.config.get("SPEECH_WORKERS", 1),
        timeout=app.config.get("SPEECH_TIMEOUT", 15.0),
        queue_size=app.config.get("SPEECH_QUEUE", 32),
    )
    app.extensions["speech_synthesiser"] = synthesiser
    app.extensions["audio_cache"] = AudioCache(audio_dir, synthesiser)
    atexit.register(synthesiser.close)


@bp.get("/audio/<key>.mp3")
def audio(key: str):
    """The MP3 for `key`; Range requests get 206, If-None-Match gets 304."""
    if not is_audio_key(key):
        abort(404)
    cache: AudioCache = current_app.extensions["audio_cache"]
    try:
        path = cache.make(key)
    except UnknownAudio:
        abort(404)
    except SynthesisError as exc:  # no voice, queue full, timeout: the browser speaks instead
        current_app.logger.warning("audio %s not made: %s", key, exc)
        response = current_app.response_class(
            "speech is unavailable for now", status=503, mimetype="text/plain"
        )
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    response = send_file(
        path, mimetype="audio/mpeg", conditional=True, etag=key, max_age=ONE_YEAR
    )
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
