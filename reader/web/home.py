"""The library home, search, help, and the page shown for every error."""

from __future__ import annotations

import threading
from collections import OrderedDict
from itertools import groupby

from flask import Blueprint, abort, current_app, g, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from reader import library, search
from reader.settings import Settings
from reader.web import store
from reader.web.page_view import match_id, sentence_id

bp = Blueprint("home", __name__)
bp.add_app_template_global(sentence_id)
bp.add_app_template_global(match_id)

# Each error a reader may meet: its title and one sentence saying what to do (message ids).
# Another 4xx reads as 400 does, another 5xx as 500.
ERRORS = {
    400: ("请求有误", "这个地址或表单的内容无法处理，请检查后再试。"),
    404: ("找不到这一页", "您要找的报告或页码不存在，可能已经更新。"),
    405: ("不支持这种请求方式", "这个地址不接受这种请求，请直接在浏览器中打开。"),
    413: ("请求内容太大", "提交的内容超过了本站接受的大小。"),
    500: ("出错了", "服务器出了问题，已经记录下来。请稍后再试。"),
    503: ("暂时无法提供服务", "服务暂时繁忙或正在维护，请稍后再试。"),
}


# Up to this many reports the home page lists them all, grouped by district, as a district
# reads them; past it (a city's or a province's library) it is browsed by city, district,
# year and kind, newest first, HOME_PAGE_SIZE to a page. Twenty titles with their facts
# are about three phone screens: more, and a reader scrolls past what they came for.
SMALL_LIBRARY = 20
HOME_PAGE_SIZE = 20
MAX_HOME_PAGE = 10**6  # a page number past any library's last


@bp.get("/")
def index():
    conn = store.connection()
    chosen = {name: request.args[name] for name in library.FACETS if name in request.args}
    n = request.args.get("page", 1, type=int)
    if not 1 <= n <= MAX_HOME_PAGE:  # SQLite's OFFSET takes no larger number
        abort(404)
    if not chosen and n == 1 and library.report_count(conn) <= SMALL_LIBRARY:
        return render_template("home/index.html", districts=_by_district(library.reports(conn)))
    entries, total = library.browse(conn, chosen, (n - 1) * HOME_PAGE_SIZE, HOME_PAGE_SIZE)
    page_count = max(1, -(-total // HOME_PAGE_SIZE))
    if not 1 <= n <= page_count:
        abort(404)
    facets = _facet_counts(conn, chosen)
    if len(facets["city"]) > 1 and not {"city", "district"} & chosen.keys():
        # A province has hundreds of districts and towns: they are offered once a city
        # is chosen, rather than as screens of links before the first report.
        facets = {name: values for name, values in facets.items() if name != "district"}
    return render_template(
        "home/browse.html", entries=entries, total=total, chosen=chosen, n=n,
        page_count=page_count, facets=facets,
    )  # fmt: skip


# Each facet's heading on the home page (message ids).
FACET_TITLES = {"city": "城市", "district": "街道和镇", "year": "年份", "kind": "类别"}
bp.add_app_template_global(FACET_TITLES, "facet_titles")


@bp.app_template_global()
def browse_url(chosen: dict[str, str], page: int | None = None, **changes: str | None) -> str:
    """The home page with `chosen` facet values, `changes` made (None: that facet's choice
    taken away) and page `page` (the first when not given)."""
    wanted = {name: value for name, value in {**chosen, **changes}.items() if value is not None}
    return url_for("home.index", **wanted, page=page if page and page > 1 else None)


def _facet_counts(conn, chosen: dict[str, str]) -> dict[str, list[tuple[str, int]]]:
    """library.facet_counts, kept for each library version: at 10,000 reports the four
    counts read every report, and most visitors open the same few choices."""
    key = (library.built_fingerprint(conn), tuple(sorted(chosen.items())))
    with _facet_cache_lock:
        counts = _facet_cache.get(key)
    if counts is None:
        counts = library.facet_counts(conn, chosen)
        with _facet_cache_lock:
            _facet_cache[key] = counts
            while len(_facet_cache) > FACET_CACHE_SIZE:
                _facet_cache.popitem(last=False)
    return counts


FACET_CACHE_SIZE = 256  # choices kept; a few KB each
_facet_cache: OrderedDict[tuple, dict] = OrderedDict()
_facet_cache_lock = threading.Lock()


def _by_district(newest_first: list) -> list:
    by_district = sorted(newest_first, key=lambda e: (e.city, e.district))  # stable sort
    return [
        (city, district, list(group))
        for (city, district), group in groupby(by_district, key=lambda e: (e.city, e.district))
    ]


@bp.get("/search", endpoint="search")  # the module reader.search has the name
def search_page():
    query = search.query_of(request.args.get("q", ""))
    results = search.search(
        store.connection(), query, count_limit=current_app.config["SEARCH_COUNT_LIMIT"]
    )
    return render_template(
        "home/search.html", query=query, results=results,
        query_max_chars=search.QUERY_MAX_CHARS, search_limit=search.SEARCH_LIMIT,
    )


@bp.get("/help")
def help_page():
    return render_template("home/help.html")


def error_page(error: HTTPException):
    """The accessible page for an HTTP error, keeping the headers it needs (Allow,
    Retry-After, Content-Range). An unexpected exception reaches here as a 500 after
    Flask has logged it."""
    code = error.code or 500
    title, explanation = ERRORS.get(code) or ERRORS[400 if code < 500 else 500]
    g.setdefault("settings", Settings())  # the error may come before the cookie was read
    headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
    return render_template("errors/error.html", title=title, explanation=explanation), code, headers


@bp.app_template_filter("marked")
def marked(
    text: str, query: search.Query | None, sentence: str, ruby: tuple[Markup, ...] | None = None
) -> Markup:
    """The text of `sentence` (its id) with every match of the reader's search in <mark>;
    with `ruby` (reader.web.ruby, one piece per character), its readings kept inside."""

    def shown(start: int, end: int | None = None) -> Markup:
        return Markup("").join(ruby[start:end]) if ruby else Markup.escape(text[start:end])

    spans = search.match_spans(text, query.folded) if query else []
    html, position = Markup(), 0
    for k, (start, end) in enumerate(spans):
        html += shown(position, start)
        html += Markup('<mark class="rd-mark" id="%s">%s</mark>') % (
            match_id(sentence, k), shown(start, end)
        )
        position = end
    return html + shown(position)
