"""The library home, search, help and the not-found page."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, render_template, request

from reader import library
from reader.web import store

bp = Blueprint("home", __name__)

SEARCH_MAX_CHARS = 50


@bp.get("/")
def index():
    newest_first = library.reports(store.connection())
    by_district = sorted(newest_first, key=lambda e: (e.city, e.district))  # stable sort
    districts = [
        (city, district, list(group))
        for (city, district), group in groupby(by_district, key=lambda e: (e.city, e.district))
    ]
    return render_template("home/index.html", districts=districts)


@bp.get("/search")
def search():
    query = request.args.get("q", "").strip()[:SEARCH_MAX_CHARS]
    hits = library.search(store.connection(), query) if query else []
    return render_template("home/search.html", query=query, hits=hits)


@bp.get("/help")
def help_page():
    return render_template("home/help.html")


def not_found(error):
    return render_template("errors/404.html"), 404
