"""The library home, search, help, and the page shown for every error."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, g, render_template, request
from werkzeug.exceptions import HTTPException

from reader import library
from reader.settings import Settings
from reader.web import store

bp = Blueprint("home", __name__)

SEARCH_MAX_CHARS = 50

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
    query = search_terms(request.args.get("q", ""))
    hits = library.search(store.connection(), query) if query else []
    return render_template("home/search.html", query=query, hits=hits)


@bp.get("/help")
def help_page():
    return render_template("home/help.html")


def search_terms(asked: str) -> str:
    """What to search for: NUL, control and format characters become spaces (the index
    cannot take NUL, and nobody means to search for one), runs of space one space, and
    no more than SEARCH_MAX_CHARS characters."""
    printable = "".join(character if character.isprintable() else " " for character in asked)
    return " ".join(printable.split())[:SEARCH_MAX_CHARS]


def error_page(error: HTTPException):
    """The accessible page for an HTTP error, keeping the headers it needs (Allow,
    Retry-After, Content-Range). An unexpected exception reaches here as a 500 after
    Flask has logged it."""
    code = error.code or 500
    title, explanation = ERRORS.get(code) or ERRORS[400 if code < 500 else 500]
    g.setdefault("settings", Settings())  # the error may come before the cookie was read
    headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
    return render_template("errors/error.html", title=title, explanation=explanation), code, headers
