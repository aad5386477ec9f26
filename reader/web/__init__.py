"""The web application: create_app, one blueprint per area, templates in templates/."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from flask import Flask, g, request

from reader.config import load as load_config
from reader.settings import COOKIE_NAME, Settings

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

    from reader.web import home, i18n, reports, settings_views, speech_views, store

    store.init_app(app)
    i18n.init_app(app)
    speech_views.init_app(app)
    for blueprint in (home.bp, reports.bp, settings_views.bp, speech_views.bp):
        app.register_blueprint(blueprint)

    @app.before_request
    def load_settings() -> None:
        g.settings = Settings.from_cookie(request.cookies.get(COOKIE_NAME), app.config["KIOSK"])

    @app.after_request
    def secure_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-cache")
            response.vary.add("Cookie")
        return response

    app.register_error_handler(404, home.not_found)
    return app

