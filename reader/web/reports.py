"""A report: its cover with 目录, its pages one by one, and the whole text on one page."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request

from reader import library, outline, search
from reader.web import downloads, store
from reader.web.last_read import remember_page, template_helpers
from reader.web.page_cache import cached_page
from reader.web.page_view import contents_of, view_of

bp = Blueprint("reports", __name__, url_prefix="/r")
bp.app_context_processor(template_helpers)  # 继续阅读 on the home page and the covers


@bp.get("/<slug>/")
def cover(slug: str):
    report, pages = _report_and_pages(slug)
    offers = downloads.offers(report, [view.page for view in pages], g.settings.rate)
    return cached_page(
        lambda: render_template(
            "reports/cover.html",
            report=report,
            pages=pages,
            contents=contents_of(pages),
            downloads=offers,
        ),
        last_read=True,
        varies=tuple(offers),  # a download's length and size, once made
    )


@bp.get("/<slug>/<int:n>")
def page(slug: str, n: int):
    return remember_page(cached_page(lambda: _render_page(slug, n)), slug, n)


def _render_page(slug: str, n: int) -> str:
    conn = store.connection()
    report = library.report(conn, slug) or abort(404)
    this_page = view_of(library.page(conn, slug, n) or abort(404))
    asked = search.query_of(request.args.get("q", ""))
    query = asked if asked.text else None  # a q of spaces or control characters marks nothing
    places = search.count_places((s.text for s in this_page.sentences), query) if query else 0
    return render_template(
        "reports/page.html", report=report, page=this_page, query=query, page_places=places
    )


@bp.get("/<slug>/outline")
def outline_page(slug: str):
    """要点: the headings and lead sentences (reader.outline), each a link to its page."""
    return cached_page(lambda: _render_outline(slug))


def _render_outline(slug: str) -> str:
    report, pages = _report_and_pages(slug)
    entries = outline.outline_of(pages)
    chars = outline.outline_chars(entries)
    return render_template(
        "reports/outline.html",
        report=report,
        entries=entries,
        outline=True,
        outline_chars=chars,
        minutes=outline.listening_minutes(chars),
    )


@bp.get("/<slug>/all")
def whole(slug: str):
    def render() -> str:
        report, pages = _report_and_pages(slug)
        return render_template("reports/all.html", report=report, pages=pages)

    return cached_page(render)


def _report_and_pages(slug: str):
    conn = store.connection()
    report = library.report(conn, slug) or abort(404)
    return report, [view_of(page) for page in library.pages(conn, slug)]
