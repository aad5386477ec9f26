"""The web application: create_app, one blueprint per area, templates in templates/."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from flask import Flask, g, request
from werkzeug.exceptions import HTTPException

from reader.config import load as load_config
from reader.library import remove_stale_builds
from reader.settings import COOKIE_NAME, Settings
from reader.speech.audio import remove_stale_temp_files

# Through the package, so an installed wheel finds its own copy; in the checkout,
# reader/templates and reader/static are symlinks to the top-level folders.
PACKAGE_FILES = files("reader")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Powerful features no page here uses, refused to the page and to anything it could embed
# (interest-cohort and browsing-topics: no ad profiling of people reading public reports).
# Autoplay and fullscreen stay allowed: 连读 carries on speaking after a page turn.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "browsing-topics", "camera", "display-capture",
        "geolocation", "gyroscope", "hid", "interest-cohort", "magnetometer", "microphone",
        "midi", "payment", "serial", "usb", "xr-spatial-tracking",
    )
)


def create_app(test_config: dict | None = None) -> Flask:
    """An app configured by reader.config: its defaults, then the instance's config.py,
    then `test_config` (tests, `reader serve`)."""
    config = load_config(test_config)
    app = Flask(
        __name__,
        instance_path=config["INSTANCE_DIR"],
        template_folder=str(PACKAGE_FILES / "templates"),
        static_folder=str(PACKAGE_FILES / "static"),
    )
    app.config.from_mapping(config)
    Path(config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)

    from reader.web import (
        downloads,
        glossary_views,
        handoff,
        health,
        home,
        i18n,
        kiosk,
        reports,
        ruby,
        settings_views,
        speech_views,
        store,
    )

    # what a crash or a kill -9 of an earlier run left half-written
    remove_stale_builds(Path(config["DATABASE"]))
    remove_stale_temp_files(Path(config["AUDIO_DIR"]))
    store.init_app(app)
    i18n.init_app(app)
    ruby.init_app(app)
    speech_views.init_app(app)
    downloads.init_app(app)
    glossary_views.init_app(app)
    kiosk.init_app(app)
    handoff.init_app(app)
    for blueprint in (home.bp, reports.bp, settings_views.bp, speech_views.bp, health.bp, downloads.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(glossary_views.bp)
    app.register_blueprint(kiosk.bp)
    app.register_blueprint(handoff.bp)

    @app.before_request
    def load_settings() -> None:
        g.settings = Settings.from_cookie(kiosk.visit_cookie(COOKIE_NAME), kiosk.baseline())

    @app.after_request
    def secure_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # No other site's window keeps a handle on ours, and no other site may embed our
        # pages' files (the audio is played by our own pages, from our own origin).
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        _relative_location(response)
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-cache")
            response.vary.add("Cookie")
        return response

    app.register_error_handler(HTTPException, home.error_page)
    return app


def _relative_location(response) -> None:
    """A redirect to this host names the path alone, never the Host header it was sent.

    Werkzeug's own redirects (a missing trailing slash, "//" merged) are built from the
    request's Host, which the client chooses; the browser resolves a path against the
    address it actually asked.
    """
    location = response.headers.get("Location")
    if location and location.startswith(request.host_url):
        response.headers["Location"] = "/" + location[len(request.host_url):].lstrip("/")
