"""继续阅读: the cookie a page view sets, and the link the home page and the cover show."""

from __future__ import annotations

import pytest
from conftest import CONTENT, soup_of

from reader.web.last_read import COOKIE_NAME, MAX_CHARS, LastRead

SLUG = "zs-nanqu-2022-work-summary"
OTHER = "zs-dongqu-2020-work-plan"


def last_read_cookie(client) -> str | None:
    cookie = client.get_cookie(COOKIE_NAME)
    return cookie.value if cookie else None


def continue_link(response):
    return soup_of(response).select_one("[data-module=rd-continue]")


def test_viewing_a_page_keeps_it_and_home_and_cover_link_to_it(client):
    assert continue_link(client.get("/")) is None  # nothing read yet
    client.get(f"/r/{SLUG}/2")
    assert last_read_cookie(client) == f"{SLUG}:2"
    link = continue_link(client.get("/"))
    assert link["href"] == f"/r/{SLUG}/2"
    assert link.get_text(" ", strip=True) == "继续阅读 南区街道办事处2022年工作总结 第 2 页"
    assert continue_link(client.get(f"/r/{SLUG}/"))["href"] == f"/r/{SLUG}/2"
    assert continue_link(client.get(f"/r/{OTHER}/")) is None  # another report's cover


def test_the_sentence_the_player_kept_is_named_and_a_reload_keeps_it(client):
    client.set_cookie(COOKIE_NAME, f"{SLUG}:3:4")
    client.get(f"/r/{SLUG}/3")  # a reload of the page being read
    assert last_read_cookie(client) == f"{SLUG}:3:4"
    link = continue_link(client.get("/"))
    assert link["href"] == f"/r/{SLUG}/3#s3-4"
    assert link.get_text(" ", strip=True).endswith("第 3 页第 5 句")
    client.get(f"/r/{SLUG}/1")  # another page: the sentence was on page 3
    assert last_read_cookie(client) == f"{SLUG}:1"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "nope:1",  # no such report
        f"{SLUG}:999",  # no such page
        f"{SLUG}:0",
        f"{SLUG}:-1",
        f"{SLUG}:x",
        f"{SLUG}:1:2:3",
        f"{SLUG}",
        f":{SLUG}:1",
        f"{SLUG}:１",  # a full-width digit
        f"{SLUG}:1234567",
        "%E0%A4:1",  # a broken percent-encoding
        "a" * MAX_CHARS + ":1",
    ],
)
def test_a_cookie_that_names_no_place_here_is_ignored(client, value):
    client.set_cookie(COOKIE_NAME, value)
    for path in ("/", f"/r/{SLUG}/"):
        response = client.get(path)
        assert response.status_code == 200
        assert continue_link(response) is None


def test_the_cookie_is_small_and_round_trips_any_slug():
    place = LastRead("南区:2022 年", 12, 3)
    value = place.to_cookie()
    assert value == "%E5%8D%97%E5%8C%BA%3A2022%20%E5%B9%B4:12:3"
    assert LastRead.from_cookie(value) == place
    assert LastRead.from_cookie(f"{SLUG}:2") == LastRead(SLUG, 2, None)


def test_on_a_kiosk_the_place_lasts_one_visit(tmp_path):
    from reader.web import create_app


    app = create_app(
        {"TESTING": True, "KIOSK": True, "CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(tmp_path)}
    )
    header = app.test_client().get(f"/r/{SLUG}/1").headers["Set-Cookie"]
    assert header.startswith(f"{COOKIE_NAME}={SLUG}:1;")
    assert "Max-Age" not in header and "Expires" not in header
