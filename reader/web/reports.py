"""A report: its cover with 目录, its pages one by one, and the whole text on one page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template

from reader import library
from reader.report import HEADING
from reader.web import store

bp = Blueprint("reports", __name__, url_prefix="/r")


@dataclass(frozen=True)
class ContentsEntry:
    level: int
    text: str
    n: int
    anchor: str


@bp.get("/<slug>/")
def cover(slug: str):
    report, pages = _report_and_pages(slug)
    return render_template(
        "reports/cover.html", report=report, pages=pages, contents=contents_of(pages)
    )


@bp.get("/<slug>/<int:n>")
def page(slug: str, n: int):
    conn = store.connection()
    report = library.report(conn, slug) or abort(404)
    this_page = library.page(conn, slug, n) or abort(404)
    return render_template(
        "reports/page.html", report=report, page=this_page, path_above=path_above(this_page)
    )


@bp.get("/<slug>/all")
def whole(slug: str):
    report, pages = _report_and_pages(slug)
    return render_template("reports/all.html", report=report, pages=pages)


def _report_and_pages(slug: str):
    conn = store.connection()
    report = library.report(conn, slug) or abort(404)
    return report, library.pages(conn, slug)


def path_above(page: library.PageEntry) -> tuple[str, ...]:
    """The headings above the page's text, leaving out those the page itself starts with."""
    path = list(page.heading_path)
    for index, block in enumerate(page.blocks):
        if block.type != HEADING or (index == 0 and page.continued):
            break
        if block.display in path:
            path.remove(block.display)
    return tuple(path)


def contents_of(pages: list[library.PageEntry]) -> list[ContentsEntry]:
    """The report's headings, each with the page it starts on, for the 目录."""
    return [
        ContentsEntry(block.level, block.display, page.n, heading_anchor(page.n, index))
        for page in pages
        for index, block in enumerate(page.blocks)
        if block.type == HEADING and not (index == 0 and page.continued)
    ]


def heading_anchor(n: int, index: int) -> str:
    return f"h{n}-{index}"
