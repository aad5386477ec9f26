"""在手机上继续 and 打印: how a kiosk visitor takes a page home, on a phone or on paper.

A hand-off address is the page's own path behind `/go`, with the sentence (`from`) and the
visitor's settings in its query, on the public site (`PUBLIC_BASE_URL`):
`https://reader.example.gov.cn/go/r/<slug>/3?from=12&size=3&voice=yue`. Opened on a phone,
`/go/…` keeps those settings in the phone's own settings cookie (a year, as anywhere
outside a kiosk) and sends it on to `/r/<slug>/3?from=12#rd-arrival`, where the page offers
从这里继续朗读. QR codes are made by segno as inline SVG, so they need no script and no
request of their own; `/qr.svg` draws one for the sentence being read, for the player.
"""

from __future__ import annotations

import functools
import io
import re
from urllib.parse import urlencode

import segno
from flask import Blueprint, Response, abort, current_app, g, redirect, request, url_for
from markupsafe import Markup, escape

from reader import library
from reader.settings import COOKIE_MAX_AGE, COOKIE_NAME, DEFAULTS, SETTING, Settings
from reader.web import store
from reader.web.i18n import gettext, in_script, long_date
from reader.web.last_read import MAX_NUMBER_DIGITS, kept_place
from reader.web.settings_views import safe_next

bp = Blueprint("handoff", __name__)

HANDOFF_PREFIX = "/go"
ARRIVAL_ARG = "from"  # the sentence on the page the visitor was reading, from 0
ARRIVAL_ANCHOR = "rd-arrival"  # the note on the page a phone lands at
# Settings a phone has no use for: a large mouse pointer.
NOT_CARRIED = ("cursor",)
# An address written in a report's text: a scheme or "www.", then the characters a URL may
# hold (ASCII only, so the Chinese punctuation after it ends it).
URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+[A-Za-z0-9/#=_\-]")
QR_ERROR_LEVEL = "m"  # 15 % of the code may be smudged or creased and it still reads
QR_BORDER = 4  # the quiet zone scanners need, in modules
# One fixed mask pattern: segno tries all eight for the one with the fewest hard-to-scan
# blocks, which took 13 of a page view's 35 ms; any mask is a valid code, and the tests
# read these back with zbarimg from the screen and the printout.
QR_MASK = 0
QR_CACHE_SIZE = 4096  # codes kept, about 3 KB each


def public_url(path: str) -> str:
    """`path` on the public site: PUBLIC_BASE_URL, or the address this request came to."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return base.rstrip("/") + path


def carried_settings(settings: Settings) -> dict[str, str]:
    """The settings that make this visitor's display and voice, as a phone's plain defaults
    would not: every value other than the public default (the kiosk's own baseline, 长者模式
    say, is carried too: it is what the visitor sees)."""
    return {
        setting.name: getattr(settings, setting.name)
        for setting in SETTING.values()
        if setting.name not in NOT_CARRIED and getattr(settings, setting.name) != DEFAULTS[setting.name]
    }


def handoff_url(path: str, seq: int | None = None) -> str:
    """The public address that opens `path` (a page of this site) on a phone, at sentence
    `seq`, with the visitor's settings."""
    query = {ARRIVAL_ARG: str(seq)} if seq is not None else {}
    query.update(carried_settings(g.settings))
    return public_url(HANDOFF_PREFIX + path + ("?" + urlencode(query) if query else ""))


def page_handoff_url(slug: str, n: int) -> str:
    """The hand-off address of page n, on a kiosk at the sentence the visitor reached there
    (继续阅读's cookie, which the player keeps as it reads), else at its start.

    Outside a kiosk the address is only the printout's way back to the page, and the page
    is rendered once for every reader with the same settings (reader/web/page_cache.py):
    one reader's place must not be printed on another's sheet.
    """
    place = kept_place() if current_app.config["KIOSK"] else None  # the visit's own
    seq = place.seq if place and (place.slug, place.n) == (slug, n) else None
    return handoff_url(url_for("reports.page", slug=slug, n=n), seq)


@functools.lru_cache(maxsize=QR_CACHE_SIZE)
def qr_svg(text: str, label: str, css_class: str = "rd-qr") -> Markup:
    """`text` as a QR code, an inline <svg> named `label` for screen readers; black on
    white whatever the theme, as scanners need. Kept once made: a page's code is asked
    for on every view of it."""
    code = segno.make(text, error=QR_ERROR_LEVEL, micro=False, mask=QR_MASK)
    out = io.BytesIO()
    # a viewBox and no size, so the stylesheet sizes it; the namespace, so it also stands alone
    code.save(out, kind="svg", border=QR_BORDER, dark="#000", light="#fff", xmldecl=False,
              svgns=True, svgclass=css_class, lineclass=None, omitsize=True, nl=False)
    svg = out.getvalue().decode("ascii")
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))


def addresses_in(pages) -> list[str]:
    """The web addresses written in the text of `pages` (page views), each once, in order."""
    found = (
        match.group(0)
        for page in pages
        for sentence in page.sentences
        for match in URL_IN_TEXT.finditer(sentence.text)
    )
    return list(dict.fromkeys(found))


def openable(address: str) -> str:
    """An address as a phone's camera opens it: "www.…" written without its scheme gets one."""
    return address if "://" in address else "http://" + address


def number_in(value: str) -> int | None:
    """A page or sentence number written in a URL (ASCII digits, at most MAX_NUMBER_DIGITS),
    or None."""
    if value.isascii() and value.isdigit() and len(value) <= MAX_NUMBER_DIGITS:
        return int(value)
    return None


def arrival_sentence(page) -> int | None:
    """The sentence a phone was handed at (`?from=`), if it is one of this page's."""
    seq = number_in(request.args.get(ARRIVAL_ARG, ""))
    return seq if seq is not None and seq < len(page.sentences) else None


@bp.get(f"{HANDOFF_PREFIX}/<path:target>")
def arrive(target: str):
    """A phone arrives from a kiosk's QR code: the visitor's settings kept in this browser's
    cookie, then on to the page at the sentence."""
    carried = {name: value for name, value in request.args.items() if name in SETTING}
    settings = Settings().updated(carried)
    path = safe_next("/" + target)
    if path == url_for("settings.settings") and target != "settings":
        path = url_for("home.index")  # not a page of this site: the library
    seq = number_in(request.args.get(ARRIVAL_ARG, ""))
    if seq is not None:
        # at the note that says which sentence, just above the player and its 从这里继续朗读
        path += f"?{ARRIVAL_ARG}={seq}#{ARRIVAL_ANCHOR}"
    response = redirect(path, code=303)
    # the visitor's own phone: a year, as on any phone, whether or not this server is a kiosk
    response.set_cookie(COOKIE_NAME, settings.to_cookie(), max_age=COOKIE_MAX_AGE,
                        samesite="Lax", httponly=False, path="/")
    return response


@bp.get("/qr.svg")
def live_qr():
    """The QR code of page `n` of report `slug` at sentence `from`, with this visitor's
    settings: the kiosk's code follows the sentence being read."""
    slug = request.args.get("slug", "")
    n, seq = number_in(request.args.get("n", "")), number_in(request.args.get(ARRIVAL_ARG, ""))
    if not slug or n is None or seq is None:
        return Response("slug, n and from must be a report, a page and a sentence\n", 400,
                        mimetype="text/plain")
    report = library.report(store.connection(), slug)
    if report is None or not 1 <= n <= report.page_count:
        abort(404)  # and a slug too long for any code never reaches segno
    url = handoff_url(url_for("reports.page", slug=slug, n=n), seq)
    response = Response(str(qr_svg(url, gettext("二维码：在手机上打开本页"))), mimetype="image/svg+xml")
    response.headers["X-Handoff-Address"] = url  # written beside the code
    response.headers["Cache-Control"] = "no-store"  # it carries the visitor's settings
    return response


@bp.get("/r/<slug>/print.css")
def print_heading(slug: str):
    """The report's title and date at the head of every printed sheet (`@page` margin
    boxes, which cannot read the page's text): a small stylesheet of its own, for printing."""
    report = library.report(store.connection(), slug) or abort(404)
    facts = [in_script(report.title)]
    if report.date:
        facts.append(long_date(report.date))
    css = (
        "@page {\n"
        f"  @top-left {{ content: {css_string(facts[0])}; }}\n"
        f"  @top-right {{ content: {css_string(facts[-1] if len(facts) > 1 else '')}; }}\n"
        "}\n"
    )
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = f"max-age={current_app.config['SEND_FILE_MAX_AGE_DEFAULT']}"
    response.vary.add("Cookie")  # 简体 or 繁體, and the interface's date
    return response


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: every character but letters, digits, CJK and spaces
    escaped, so nothing in a title can end the string or the rule."""
    return '"' + "".join(
        character if character.isalnum() or character == " " else f"\\{ord(character):06x}"
        for character in text
    ) + '"'


def template_helpers() -> dict:
    return {
        "handoff_url": handoff_url,
        "page_handoff_url": page_handoff_url,
        "qr_svg": qr_svg,
        "addresses_in": addresses_in,
        "openable": openable,
        "arrival_sentence": arrival_sentence,
    }


def init_app(app) -> None:
    app.context_processor(template_helpers)
