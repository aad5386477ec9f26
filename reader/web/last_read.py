"""继续阅读: the report, page and sentence a reader last read, kept in a small cookie.

The cookie `rd_last_read` holds `<slug>:<n>` or `<slug>:<n>:<seq>`: the report's slug
percent-encoded (as JavaScript's encodeURIComponent writes it), the page number, and the
sentence's place on that page counted from 0. The server writes `<slug>:<n>` whenever a
page is viewed, so 继续阅读 works without JavaScript; static/js/player/position.js adds
the sentence as it is read. The value is at most MAX_CHARS characters; anything longer,
malformed or naming a page that no longer exists is ignored, never an error. On a kiosk it
lasts one visit (a session cookie, read only within the visit: reader/web/kiosk.py), as the
reading position belongs to the visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

from reader import library
from reader.web import kiosk, store

COOKIE_NAME = "rd_last_read"
COOKIE_MAX_AGE = 365 * 24 * 3600
MAX_CHARS = 240  # a long slug, percent-encoded, and two numbers
MAX_NUMBER_DIGITS = 6  # no report has a million pages, nor a page a million sentences


@dataclass(frozen=True)
class LastRead:
    slug: str
    n: int
    seq: int | None = None  # the sentence on page n, from 0; None when only the page is known

    @classmethod
    def from_cookie(cls, value: str | None) -> LastRead | None:
        """The place in `value`, or None when there is none or it is not one."""
        if not value or len(value) > MAX_CHARS:
            return None
        slug, *numbers = value.split(":")  # the slug is percent-encoded: no ":" of its own
        if not slug or not 1 <= len(numbers) <= 2:
            return None
        if not all(part.isascii() and part.isdigit() and len(part) <= MAX_NUMBER_DIGITS for part in numbers):
            return None
        n, *seq = (int(part) for part in numbers)
        if n < 1:
            return None
        return cls(unquote(slug), n, seq[0] if seq else None)

    def to_cookie(self) -> str:
        place = f"{quote(self.slug, safe='')}:{self.n}"
        return place if self.seq is None else f"{place}:{self.seq}"


def kept_place() -> LastRead | None:
    """The place the cookie keeps, unchecked; on a kiosk only within the visit."""
    return LastRead.from_cookie(kiosk.visit_cookie(COOKIE_NAME))


def remember_page(response, slug: str, n: int):
    """Have `response` keep page n of `slug` as the place last read; a sentence already
    kept on that very page stays (a reload must not forget it)."""
    kept = kept_place()
    here = kept if kept and (kept.slug, kept.n) == (slug, n) else LastRead(slug, n)
    value = here.to_cookie()
    if len(value) <= MAX_CHARS:
        response.set_cookie(
            COOKIE_NAME, value, max_age=cookie_max_age(), samesite="Lax", httponly=False, path="/"
        )
    return response


def cookie_max_age() -> int | None:
    """A year; on a kiosk None, so the cookie ends with the visit."""
    return kiosk.cookie_max_age(COOKIE_MAX_AGE)


def last_read():
    """(report, n, seq) for the place in the cookie, or None if it names nothing there now."""
    place = kept_place()
    if place is None:
        return None
    report = library.report(store.connection(), place.slug)
    if report is None or place.n > report.page_count:
        return None
    return report, place.n, place.seq


def template_helpers() -> dict:
    """For every template: `last_read()`, and the cookie's name and age for the player."""
    return {
        "last_read": last_read,
        "LAST_READ_COOKIE": COOKIE_NAME,
        "LAST_READ_MAX_AGE": cookie_max_age(),
    }
