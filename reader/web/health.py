"""`/healthz`: whether this reader can serve its pages and speak, for a load balancer or
a service hall's monitoring.

The answer is 200 whenever pages can be served, with "status": "degraded" when the server
voice is not working: the player then speaks with the browser's own voice, so a reader
without a server voice is still worth sending visitors to, and a load balancer takes any
other status as "down". 503 only when the library cannot be read, since then no page can
be served. It never starts a voice worker, and is never cached.
"""

from __future__ import annotations

import sqlite3

from flask import Blueprint, current_app, jsonify

from reader import library
from reader.web import store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """{"status": "ok" | "degraded" | "down", "library": {"fingerprint", "reports"} or
    {"error"}, "speech": the synthesiser's health ({"state", "detail", …}) and this
    process's speech pool ({"pool": {"capacity", "in_use", "refused"}})}."""
    speech = _speech()
    try:
        conn = store.connection()
        shelf = {"fingerprint": library.built_fingerprint(conn), "reports": library.report_count(conn)}
    except (sqlite3.Error, OSError) as exc:
        current_app.logger.error("health check: the library cannot be read: %s", exc)
        # the details (paths on this server) go to the error log, not to any client
        status, code = "down", 503
        shelf = {"error": f"the library cannot be read ({exc.__class__.__name__})"}
    else:
        status, code = ("degraded" if speech["state"] == "degraded" else "ok"), 200
    response = jsonify(status=status, library=shelf, speech=speech)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


def _speech() -> dict:
    if current_app.config["SPEECH_DISABLED"]:
        return {"state": "off", "detail": "SPEECH_DISABLED is set: the browser speaks"}
    return {
        **current_app.extensions["speech_synthesiser"].health(),
        "pool": current_app.extensions["speech_pool"].health(),  # this process's requests
    }
