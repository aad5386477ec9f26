"""Kiosk mode (`reader serve --kiosk`): one visit at a time, from the kiosk's own defaults.

A visit is a signed timestamp in the session cookie `rd_visit`, renewed by every request and,
while the visitor taps, scrolls or listens without loading a page, by the page's ping
(`/kiosk/visit`, at most every PING_SECONDS). The settings and the place last read count
only within a visit: once it is older than the idle time, the countdown and one ping's
slack, the server reads them as absent and deletes them, so even with JavaScript off the
next visitor starts from `KIOSK_DEFAULTS`. With JavaScript, static/js/kiosk.js asks
还在阅读吗？ after KIOSK_IDLE_SECONDS and, unanswered for KIOSK_COUNTDOWN_SECONDS, clears
the browser's storage and ends the visit here (`/kiosk/end`), which goes to the start screen.

Without JavaScript nothing reloads a page by itself: a refresh with no warning would take
the page from a visitor still reading (WCAG 2.2.1), and no warning can be given without a
script. The screen shows the last page until someone taps, and that tap starts a new visit.
"""

from __future__ import annotations

import copy
import os
import secrets
import time
from collections import Counter
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, TimestampSigner

from reader import library
from reader.folding import fold
from reader.settings import COOKIE_NAME as SETTINGS_COOKIE
from reader.settings import Settings

# speech_views as a module: it imports page_cache, which imports this module
from reader.web import last_read, speech_views, store
from reader.web.i18n import in_script

VISIT_COOKIE = "rd_visit"
VISIT_KEY_FILE = "kiosk-visit.key"  # in INSTANCE_DIR, when there is no SECRET_KEY
VISIT_KEY_BYTES = 32
PING_SECONDS = 10  # the page renews the visit at most this often while the visitor is active

# What the kiosk says aloud (message ids): the idle question and the start screen's choices.
PHRASES = {
    "still-reading": "还在阅读吗？想继续，请点一下屏幕。",
    "bigger": "放大字",
    "listen": "听朗读",
    "find": "找报告",
}
# The start screen's choices: (phrase, what it explains, the settings it chooses, where it goes).
START_CHOICES = (
    ("bigger", "字变得更大，再选报告。", {"size": "4"}, "home.index"),
    ("listen", "选一篇报告，按“朗读全文”，本机读给您听。", {"reading": "continuous", "captions": "on"}, "home.index"),
    ("find", "点一个话题，找到讲它的报告。", {}, "home.search"),
)
# Topics a visitor may look for, when KIOSK_TOPICS names none: those most reports name in
# their headings are offered, in that order.
SUBJECTS = (
    "养老", "医疗", "教育", "就业", "住房", "交通", "社区", "环境", "安全", "文化", "卫生",
    "乡村振兴", "营商环境", "产业", "民生", "消防", "治安", "防疫", "托育", "助餐", "旧改",
    "垃圾分类", "志愿服务", "社会保障", "残疾人", "退役军人", "学校", "公园",
)  # fmt: skip
TOPIC_COUNT = 8

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")


def init_app(app: Flask) -> None:
    kiosk = app.config["KIOSK"]
    app.extensions["kiosk"] = {
        "baseline": Settings.baseline_of(app.config["KIOSK_DEFAULTS"]) if kiosk else Settings(),
        "signer": TimestampSigner(_visit_key(app) if kiosk else b"", salt="rd-visit"),
        "topics": {},
    }
    if kiosk:
        app.after_request(_renew_visit)

    @app.context_processor
    def kiosk_values() -> dict:
        if not current_app.config["KIOSK"]:
            return {"kiosk": None}
        return {"kiosk": {
            "idle": current_app.config["KIOSK_IDLE_SECONDS"],
            "countdown": current_app.config["KIOSK_COUNTDOWN_SECONDS"],
            "ping": PING_SECONDS,
            "new_visit": visit_is_new(),
            "topics": topics,
            "phrases": PHRASES,
            "visit_cookies": per_visit_cookies(),
        }}


def _visit_key(app: Flask) -> bytes:
    """The key visits are signed with: SECRET_KEY, else one made once in INSTANCE_DIR, so
    every worker process of the kiosk's server knows the others' visits."""
    if app.secret_key:
        return app.secret_key.encode() if isinstance(app.secret_key, str) else app.secret_key
    path = Path(app.config["INSTANCE_DIR"]) / VISIT_KEY_FILE
    if not path.exists():
        made = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        # Only this user may read it (anyone who can could sign a visit), and it is on
        # disk before it is linked: a power cut must not leave an empty key.
        descriptor = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(descriptor, secrets.token_bytes(VISIT_KEY_BYTES))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(made, path)  # the first process to make one wins
        except FileExistsError:
            pass
        finally:
            made.unlink()
    key = path.read_bytes()
    if len(key) < VISIT_KEY_BYTES:  # cut short (a disk full at its making): make another
        app.logger.warning("%s: a visit key of %d bytes, made again", path, len(key))
        path.unlink(missing_ok=True)
        return _visit_key(app)
    return key


def per_visit_cookies() -> tuple[str, ...]:
    """The cookies that belong to one visit: the settings and the place last read."""
    return SETTINGS_COOKIE, last_read.COOKIE_NAME  # read late: last_read imports this module


def baseline() -> Settings:
    """What every visitor starts from: the kiosk's defaults, or the ordinary ones."""
    return current_app.extensions["kiosk"]["baseline"]


def visit_cookie(name: str) -> str | None:
    """A cookie's value, unless it is one of a kiosk visit that has ended."""
    if current_app.config["KIOSK"] and name in per_visit_cookies() and visit_is_new():
        return None
    return request.cookies.get(name)


def cookie_max_age(ordinary: int) -> int | None:
    """A cookie's lifetime: `ordinary`, or on a kiosk None, so it ends with the session."""
    return None if current_app.config["KIOSK"] else ordinary


def visit_is_new() -> bool:
    """On a kiosk, whether this request starts a visit: no visit cookie, or one that ended."""
    if "kiosk_new_visit" not in g:
        g.kiosk_new_visit = visit_age(request.cookies.get(VISIT_COOKIE)) is None
    return g.kiosk_new_visit


def visit_age(token: str | None) -> float | None:
    """Seconds since the visit in `token` was last renewed, or None if it has ended or
    is no visit of ours."""
    if not token:
        return None
    config = current_app.config
    lifetime = config["KIOSK_IDLE_SECONDS"] + config["KIOSK_COUNTDOWN_SECONDS"] + PING_SECONDS
    try:
        _value, signed_at = _signer().unsign(token, max_age=lifetime, return_timestamp=True)
    except BadSignature:  # SignatureExpired is one
        return None
    return max(0.0, time.time() - signed_at.timestamp())


def visit_token(at: float | None = None) -> str:
    """A visit renewed at `at` (seconds since the epoch; now by default)."""
    signer = _signer()
    if at is not None:
        signer = copy.copy(signer)
        signer.get_timestamp = lambda: int(at)
    return signer.sign(b"visit").decode()


def _signer() -> TimestampSigner:
    return current_app.extensions["kiosk"]["signer"]


def _renew_visit(response):
    """Every answer renews the visit; the first of a new one deletes the last visitor's
    cookies (unless it sets its own, as /settings does). Files any cache may keep (styles,
    scripts, audio) carry no cookie: a shared cache would hand it to everyone."""
    if request.endpoint == "static" or response.cache_control.public:
        return response
    if visit_is_new():
        setting = {h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")}
        for name in per_visit_cookies():
            if name in request.cookies and name not in setting:
                response.delete_cookie(name, path="/", samesite="Lax")
    response.set_cookie(VISIT_COOKIE, visit_token(), samesite="Lax", httponly=True, path="/")
    return response


def topics() -> tuple[str, ...]:
    """The topic buttons of search: KIOSK_TOPICS, else the SUBJECTS most of the library's
    headings name (worked out once per library; headings, not every sentence, so 10,000
    reports take a moment, not a scan of each report's text per subject)."""
    configured = current_app.config["KIOSK_TOPICS"]
    if configured:
        return tuple(configured)
    conn = store.connection()
    built = library.built_fingerprint(conn)
    cache = current_app.extensions["kiosk"]["topics"]
    if built not in cache:
        named = Counter()
        for report_headings in library.headings(conn).values():
            text = fold("\n".join(report_headings))
            named.update(subject for subject in SUBJECTS if fold(subject) in text)
        cache.clear()
        cache[built] = tuple(subject for subject, _ in named.most_common(TOPIC_COUNT))
    return cache[built]


def _kiosk_only() -> None:
    if not current_app.config["KIOSK"]:
        abort(404)


bp.before_request(_kiosk_only)


@bp.get("/")
def start():
    """The start of a visit: three big choices a first-time visitor understands."""
    choices = [
        (phrase, PHRASES[phrase], explanation,
         url_for("settings.settings", next=url_for(endpoint), **chosen) if chosen else url_for(endpoint))
        for phrase, explanation, chosen, endpoint in START_CHOICES
    ]
    return render_template("kiosk/start.html", choices=choices)


@bp.post("/visit")
def visit():
    """The page's ping while its visitor is active: the answer renews the visit."""
    return "", 204


@bp.route("/end", methods=["GET", "POST"])
def end():
    """The visit is over: its settings and place deleted, back to the start screen, where
    the next visit begins."""
    response = redirect(url_for("kiosk.start"), code=303)
    for name in per_visit_cookies():
        response.delete_cookie(name, path="/", samesite="Lax")
    return response


@bp.get("/say/<phrase>.mp3")
def say(phrase: str):
    """One of the kiosk's PHRASES in the visitor's voice and rate: a redirect to its
    cached MP3, or 503 when there is no voice (the page then asks the browser to speak)."""
    text = PHRASES.get(phrase) or abort(404)
    return speech_views.redirect_to_audio(in_script(text))
