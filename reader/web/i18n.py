"""Interface language and script: Babel catalogues for the interface, OpenCC for 繁體.

Message ids are the Simplified Chinese strings themselves. English comes from the
catalogue compiled from reader/translations/en; Traditional Chinese (zh_Hant, and report text
when script=hant) is converted with OpenCC's s2hk table, which suits readers in Hong
Kong and Macau, the Cantonese readers most likely to choose it.
"""

from __future__ import annotations

import datetime
from functools import cache, lru_cache
from importlib.resources import files

import opencc
from babel.dates import format_date
from babel.support import Translations
from flask import Flask, g
from markupsafe import Markup

CATALOGUE_DIR = files("reader") / "translations"


@cache
def catalogue(lang: str) -> Translations:
    """The compiled messages.mo for `lang`, made by scripts/install or the wheel build.

    A missing one raises rather than leave the interface silently untranslated.
    """
    with (CATALOGUE_DIR / lang / "LC_MESSAGES" / "messages.mo").open("rb") as mo_file:
        return Translations(mo_file, domain="messages")


@lru_cache(maxsize=1)
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2hk")


@lru_cache(maxsize=4096)
def traditional(text: str) -> str:
    return _to_traditional().convert(text)


def translate(lang: str, message: str) -> str:
    if lang == "en":
        return catalogue("en").gettext(message)
    if lang == "zh_Hant":
        return traditional(message)
    return message


def gettext(message: str, **values) -> Markup:
    """The message in the interface language, escaped like any text (a message may be a
    report's own words, such as a sidecar's kind); values are escaped unless already Markup."""
    text = Markup.escape(translate(g.settings.lang, message))
    return text % values if values else text


def in_script(text: str) -> str:
    """Report text in the reader's chosen script (简体 as published, or 繁體)."""
    return traditional(text) if g.settings.script == "hant" else text


def long_date(iso: str | None) -> str:
    if not iso:
        return gettext("日期不详")
    day = datetime.date.fromisoformat(iso)
    return format_date(day, format="long", locale=g.settings.locale)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["_"] = gettext
    app.jinja_env.filters["in_script"] = in_script
    app.jinja_env.filters["long_date"] = long_date
