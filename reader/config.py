"""The reader's configuration: one mapping of defaults, then the instance's config.py, then
the caller's overrides (the command line, tests).

Plain code, no Flask, so that a command such as `reader synthesise` knows the audio
directory without building the web app and its library. Relative paths are taken from the
current directory, as a person running `reader serve` in a folder expects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reader.paginate import DEFAULT_PAGE_CHARS
from reader.search import COUNT_LIMIT
from reader.settings import KIOSK_DEFAULTS, defaults_problem
from reader.sources import DEFAULT_MAX_HTML_ELEMENTS, DEFAULT_MAX_SOURCE_BYTES
from reader.speech.limits import DEFAULT_BURST, DEFAULT_EXEMPT, DEFAULT_PER_MINUTE
from reader.speech.pool import DEFAULT_SPEECH_REQUESTS
from reader.speech.synthesiser import (
    DEFAULT_BACKOFF,
    DEFAULT_MAX_BACKOFF,
    DEFAULT_QUEUE_SIZE,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
)

MIN_COUNTDOWN_SECONDS = 20
CONFIG_FILE = "config.py"  # in INSTANCE_DIR; upper-case names in it are read

DEFAULTS: dict[str, Any] = {
    "CONTENT_DIR": "content",  # the reports to serve
    "INSTANCE_DIR": "instance",  # this installation's own files: config.py, library, audio
    "DATABASE": None,  # the library; None: INSTANCE_DIR/library-<content folder>-<hash>.sqlite3
    "AUDIO_DIR": None,  # the audio cache; None: INSTANCE_DIR/audio
    "PAGE_CHARS": DEFAULT_PAGE_CHARS,  # about how many characters a page holds
    "KIOSK": False,  # a service-hall kiosk: one visit at a time, from KIOSK_DEFAULTS
    "KIOSK_IDLE_SECONDS": 90,  # quiet seconds before the kiosk asks 还在阅读吗？
    "KIOSK_COUNTDOWN_SECONDS": 30,  # then seconds to answer before it resets (at least 20)
    "KIOSK_DEFAULTS": KIOSK_DEFAULTS,  # settings every visit starts from (settings-link names)
    "KIOSK_TOPICS": (),  # topic buttons for search without a keyboard; (): the library's own
    "SEARCH_COUNT_LIMIT": COUNT_LIMIT,  # sentences a search counts before it says 至少
    "PUBLIC_BASE_URL": None,  # where a phone reaches this site (the kiosk's QR codes); None: the address asked
    "LIBRARY_CHECK_SECONDS": 2.0,  # how often the library watcher checks content/ for changes
    "MAX_SOURCE_BYTES": DEFAULT_MAX_SOURCE_BYTES,  # a report file over this is refused unread
    "MAX_HTML_ELEMENTS": DEFAULT_MAX_HTML_ELEMENTS,  # a page with more is refused unparsed
    "SPEECH_WORKERS": DEFAULT_WORKERS,  # voice worker processes
    "SPEECH_TIMEOUT": DEFAULT_TIMEOUT,  # seconds one utterance may take
    "SPEECH_QUEUE": DEFAULT_QUEUE_SIZE,  # requests that may wait for a voice
    "SPEECH_REQUESTS": DEFAULT_SPEECH_REQUESTS,  # requests of a process making audio at once
    "SPEECH_DISABLED": False,  # no server voice: the browser speaks
    "SPEECH_BACKOFF": DEFAULT_BACKOFF,  # seconds without speech after the voices fail to start
    "SPEECH_BACKOFF_MAX": DEFAULT_MAX_BACKOFF,  # the back-off doubles up to this
    "SPEECH_BURST": DEFAULT_BURST,  # new sentences one client may have made at once
    "SPEECH_PER_MINUTE": DEFAULT_PER_MINUTE,  # and a minute, sustained; 0: no limit
    "SPEECH_LIMIT_EXEMPT": DEFAULT_EXEMPT,  # client addresses never limited (the kiosk)
    "SEND_FILE_MAX_AGE_DEFAULT": 3600,  # seconds static files may be cached
    "MAX_CONTENT_LENGTH": 64 * 1024,  # bytes a request body may have: the settings form needs <1 KB
    "SHUTDOWN_GRACE_SECONDS": 10.0,  # on SIGTERM, how long responses being sent may take
    "PROXY_HOPS": 0,  # reverse proxies in front (docs/nginx.conf: 1) whose X-Forwarded-For is trusted
    "ACCESS_LOG": "-",  # a line per request: "-" for stderr, or a file
    "ERROR_LOG": "-",  # warnings and errors: "-" for stderr, or a file
}
PATHS = ("CONTENT_DIR", "INSTANCE_DIR", "DATABASE", "AUDIO_DIR")


class ConfigError(Exception):
    """The instance's config.py cannot be read. The message names the file."""


def load(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then INSTANCE_DIR/config.py, then `overrides`; paths made absolute."""
    overrides = dict(overrides or {})
    config = dict(DEFAULTS)
    instance = Path(overrides.get("INSTANCE_DIR", config["INSTANCE_DIR"])).resolve()
    config.update(read_config_file(instance / CONFIG_FILE))
    config.update(overrides)
    config["INSTANCE_DIR"] = str(instance)
    if config["DATABASE"] is None:
        config["DATABASE"] = instance / library_name(Path(config["CONTENT_DIR"]))
    if config["AUDIO_DIR"] is None:
        config["AUDIO_DIR"] = instance / "audio"
    for name in PATHS:
        config[name] = str(Path(config[name]).resolve())
    check_kiosk(config)
    check_search(config)
    return config


def library_name(content_dir: Path) -> str:
    """The library's file name for a content folder: each folder served from one instance
    has its own, named after it and a digest of its full path."""
    folder = Path(content_dir).resolve()
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    return f"library-{folder.name or 'root'}-{digest}.sqlite3"


def check_kiosk(config: Mapping[str, Any]) -> None:
    """Refuse kiosk settings that cannot work, with one line naming the setting."""
    for name in ("KIOSK_IDLE_SECONDS", "KIOSK_COUNTDOWN_SECONDS"):
        value = config[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"{name}: {value!r} is not a number of seconds")
    # WCAG 2.2.1: at least 20 s to ask for more time; tests shorten it (TESTING)
    if config["KIOSK_COUNTDOWN_SECONDS"] < MIN_COUNTDOWN_SECONDS and not config.get("TESTING"):
        raise ConfigError(
            f"KIOSK_COUNTDOWN_SECONDS: {config['KIOSK_COUNTDOWN_SECONDS']!r} is under "
            f"{MIN_COUNTDOWN_SECONDS} (WCAG 2.2.1 gives a visitor at least 20 s to stay)"
        )
    if problem := defaults_problem(config["KIOSK_DEFAULTS"]):
        raise ConfigError(f"KIOSK_DEFAULTS: {problem}")
    topics = config["KIOSK_TOPICS"]
    if not isinstance(topics, list | tuple) or not all(isinstance(t, str) and t.strip() for t in topics):
        raise ConfigError(f"KIOSK_TOPICS: {topics!r} is not a list of words")
    base = config.get("PUBLIC_BASE_URL")
    if base is not None and not _is_web_address(base):
        raise ConfigError(f"PUBLIC_BASE_URL: {base!r} is not an http:// or https:// address")


def _is_web_address(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not (parts.query or parts.fragment)


def check_search(config: Mapping[str, Any]) -> None:
    """Refuse a search count limit that is not a number of sentences, with one line."""
    value = config["SEARCH_COUNT_LIMIT"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"SEARCH_COUNT_LIMIT: {value!r} is not a number of sentences (1 or more)")


def read_config_file(path: Path) -> dict[str, Any]:
    """The upper-case names a config.py sets, or {} when there is none."""
    if not path.is_file():
        return {}
    namespace: dict[str, Any] = {"__file__": str(path)}
    try:
        exec(compile(path.read_bytes(), str(path), "exec"), namespace)  # noqa: S102 - staff's own file
    except Exception as exc:
        raise ConfigError(f"{path}: {exc.__class__.__name__}: {exc}") from None
    return {name: value for name, value in namespace.items() if name.isupper()}
