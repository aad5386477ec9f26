"""Kiosk mode (issue #8 items 1, 2 and 6) through the Flask test client: settings and the
place last read belong to one visit, also without JavaScript; the kiosk's defaults are the
baseline every toggle works both ways against; the start screen, the spoken phrases, the
end of a visit; touch-first help, no 大鼠标, topic buttons for search without a keyboard.
What only a browser shows (the idle dialog, swipes, sizes) is in tests/browser/test_kiosk.py.
"""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from conftest import CONTENT, soup_of

from reader import config
from reader.cli import main
from reader.settings import COOKIE_NAME as SETTINGS_COOKIE
from reader.settings import SETTING, TOOLBAR_ROWS, for_touch
from reader.web import create_app, kiosk
from reader.web.last_read import COOKIE_NAME as LAST_READ_COOKIE

SLUG = "zs-dongqu-2020-work-plan"
PAGE = f"/r/{SLUG}/2"
IDLE, COUNTDOWN = 90, 30


def kiosk_app(tmp_path, **overrides):
    return create_app({
        "TESTING": True, "KIOSK": True, "CONTENT_DIR": str(CONTENT),
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "KIOSK_IDLE_SECONDS": IDLE, "KIOSK_COUNTDOWN_SECONDS": COUNTDOWN, **overrides,
    })


@pytest.fixture
def app(tmp_path):
    return kiosk_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


def pressed(soup, setting: str) -> str:
    """The value a toolbar group shows as chosen."""
    (button,) = soup.select(f'a[data-setting="{setting}"][aria-pressed="true"]')
    return button["data-value"]


def html_classes(response) -> set[str]:
    return set(soup_of(response).html["class"])


def set_cookies(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def age_visit(app, client, seconds_ago: float) -> None:
    """Make the browser's visit one last renewed `seconds_ago`."""
    with app.test_request_context():
        token = kiosk.visit_token(time.time() - seconds_ago)
    client.set_cookie(kiosk.VISIT_COOKIE, token)


def test_a_visitor_starts_from_the_kiosk_defaults_and_keeps_choices_for_the_visit(client):
    first = client.get(PAGE)
    assert {"rd-kiosk", "rd-elder", "rd-size--2", "rd-spacing--wide"} <= html_classes(first)
    cookies = set_cookies(client.get(f"/settings?size=5&theme=black-yellow&next={PAGE}"))
    # session cookies: they end with the browser, never a year
    assert "Max-Age" not in cookies[SETTINGS_COOKIE] and "Expires" not in cookies[SETTINGS_COOKIE]
    assert "Max-Age" not in cookies[kiosk.VISIT_COOKIE]
    assert {"rd-size--5", "rd-theme--black-yellow"} <= html_classes(client.get(PAGE))


@pytest.mark.parametrize("seconds_ago, kept", [
    (IDLE - 5, True),  # still within the visit
    (IDLE + COUNTDOWN + kiosk.PING_SECONDS + 5, False),  # the visitor has gone
])  # fmt: skip
def test_a_visit_ends_on_the_server_after_the_idle_time_and_countdown(app, client, seconds_ago, kept):
    client.get(f"/settings?size=5&lang=en&next={PAGE}")
    client.get(PAGE)  # the place last read
    age_visit(app, client, seconds_ago)
    home = client.get("/")
    shown = html_classes(home)
    assert ("rd-size--5" in shown) is kept
    assert ("rd-size--2" in shown) is not kept  # the kiosk's 长者助手 size
    assert (soup_of(home).html["lang"] == "en") is kept
    assert bool(soup_of(home).select(".rd-continue")) is kept  # 上次读到
    deleted = {name for name, header in set_cookies(home).items() if "Max-Age=0" in header}
    assert deleted == (set() if kept else {SETTINGS_COOKIE, LAST_READ_COOKIE})


def test_files_a_shared_cache_may_keep_carry_no_visit_cookie(client):
    said = client.get("/kiosk/say/still-reading.mp3")
    for path in ("/static/css/kiosk.css", said.headers["Location"]):
        with client.get(path) as response:
            assert response.status_code == 200 and "Set-Cookie" not in response.headers, path
    assert kiosk.VISIT_COOKIE in set_cookies(said)  # a private answer renews the visit


def test_every_server_process_of_one_kiosk_knows_its_visits(tmp_path):
    """gunicorn's workers each build the app: a visit signed by one holds in the others."""
    one, other = kiosk_app(tmp_path).test_client(), kiosk_app(tmp_path).test_client()
    one.get(f"/settings?size=5&next={PAGE}")
    for name in (SETTINGS_COOKIE, kiosk.VISIT_COOKIE):
        other.set_cookie(name, one.get_cookie(name).value)
    assert "rd-size--5" in html_classes(other.get(PAGE))


def test_the_visit_key_is_the_servers_own_and_made_again_if_cut_short(tmp_path):
    """Anyone who can read the key can sign a visit; a key cut short signs nothing safely."""
    kiosk_app(tmp_path)
    key = tmp_path / "instance" / kiosk.VISIT_KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == kiosk.VISIT_KEY_BYTES
    key.write_bytes(b"")
    kiosk_app(tmp_path)
    assert len(key.read_bytes()) == kiosk.VISIT_KEY_BYTES


def test_a_visit_cookie_not_signed_here_is_no_visit(client):
    client.get(f"/settings?size=5&next={PAGE}")
    client.set_cookie(kiosk.VISIT_COOKIE, "visit.forged.signature")
    assert "rd-size--5" not in html_classes(client.get(PAGE))


def test_the_page_renews_the_visit_while_its_visitor_is_active(app, client):
    client.get(f"/settings?size=5&next={PAGE}")
    age_visit(app, client, IDLE + COUNTDOWN - 1)
    assert client.post("/kiosk/visit").status_code == 204
    age_visit(app, client, IDLE + COUNTDOWN + kiosk.PING_SECONDS - 1)
    assert client.post("/kiosk/visit").status_code == 204
    with app.test_request_context():
        assert kiosk.visit_age(client.get_cookie(kiosk.VISIT_COOKIE).value) < 5
    assert "rd-size--5" in html_classes(client.get(PAGE))


def test_ending_a_visit_deletes_its_cookies_and_goes_to_the_start_screen(client):
    client.get(f"/settings?size=5&next={PAGE}")
    client.get(PAGE)
    response = client.get("/kiosk/end")
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/"
    assert client.get_cookie(SETTINGS_COOKIE) is None and client.get_cookie(LAST_READ_COOKIE) is None
    assert {"rd-elder", "rd-size--2"} <= html_classes(client.get(PAGE))


TOUCH_SETTINGS = [s for row in for_touch(TOOLBAR_ROWS) for s in row]


@pytest.mark.parametrize("setting", TOUCH_SETTINGS, ids=lambda s: s.name)
def test_every_toggle_works_both_ways_against_the_kiosk_defaults(client, setting):
    """Each value chosen, then the one the kiosk started with again, each kept on the next
    page (the help page: its toolbar is every page's, and it is quick to draw)."""
    start = pressed(soup_of(client.get("/help")), setting.name)
    for value in [v for v in setting.values if v != start] + [start]:
        client.get(f"/settings?{setting.name}={value}&next=/help")
        assert pressed(soup_of(client.get("/help")), setting.name) == value, (setting.name, value)


def test_elder_switch_goes_off_and_on_again_and_reset_returns_to_the_kiosk_defaults(client):
    def elder_switch(soup):
        return soup.select_one("#rd-elder-switch")

    soup = soup_of(client.get(PAGE))
    assert elder_switch(soup)["aria-pressed"] == "true"
    client.get(elder_switch(soup)["href"])
    soup = soup_of(client.get(PAGE))
    assert elder_switch(soup)["aria-pressed"] == "false"
    assert pressed(soup, "size") == "1" and pressed(soup, "spacing") == "normal"
    client.get(elder_switch(soup)["href"])
    assert elder_switch(soup_of(client.get(PAGE)))["aria-pressed"] == "true"
    client.get(f"/settings?size=5&theme=blue-white&elder=off&next={PAGE}")
    client.get(soup_of(client.get(PAGE)).select_one("#rd-reset")["href"])
    soup = soup_of(client.get(PAGE))
    assert elder_switch(soup)["aria-pressed"] == "true"
    assert (pressed(soup, "size"), pressed(soup, "theme")) == ("2", "default")


def test_the_kiosk_defaults_come_from_configuration(tmp_path):
    client = kiosk_app(tmp_path, KIOSK_DEFAULTS={"voice": "yue", "rate": "slow"}).test_client()
    soup = soup_of(client.get(PAGE))
    assert (pressed(soup, "voice"), pressed(soup, "rate")) == ("yue", "slow")
    assert "rd-elder" not in soup.html["class"]  # no preset named: ordinary text
    client.get(f"/settings?voice=cmn&next={PAGE}")
    assert pressed(soup_of(client.get(PAGE)), "voice") == "cmn"


@pytest.mark.parametrize("name, value, says", [
    ("KIOSK_DEFAULTS", {"rate": "slowest"}, "KIOSK_DEFAULTS: rate 'slowest' is not one of slow, normal, fast"),
    ("KIOSK_DEFAULTS", {"colour": "red"}, "KIOSK_DEFAULTS: 'colour' is not a setting"),
    ("KIOSK_DEFAULTS", ["elder"], "KIOSK_DEFAULTS: ['elder'] is not a mapping"),
    ("KIOSK_IDLE_SECONDS", "90", "KIOSK_IDLE_SECONDS: '90' is not a number of seconds"),
    ("KIOSK_TOPICS", "养老", "KIOSK_TOPICS: '养老' is not a list of words"),
    ("KIOSK_TOPICS", None, "KIOSK_TOPICS: None is not a list of words"),
    ("PUBLIC_BASE_URL", "yidu.example.gov.cn", "PUBLIC_BASE_URL: 'yidu.example.gov.cn' is not an http"),
    ("PUBLIC_BASE_URL", 8000, "PUBLIC_BASE_URL: 8000 is not an http"),
])  # fmt: skip
def test_a_bad_kiosk_setting_is_one_line_naming_it(tmp_path, name, value, says):
    (tmp_path / "config.py").write_text(f"{name} = {value!r}\n", encoding="utf-8")
    with pytest.raises(config.ConfigError) as raised:
        config.load({"INSTANCE_DIR": str(tmp_path)})
    assert str(raised.value).startswith(says) and "\n" not in str(raised.value)


def test_the_countdown_is_at_least_twenty_seconds(tmp_path):
    (tmp_path / "config.py").write_text("KIOSK_COUNTDOWN_SECONDS = 10\n", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="KIOSK_COUNTDOWN_SECONDS: 10 is under 20"):
        config.load({"INSTANCE_DIR": str(tmp_path)})


def test_serve_takes_the_idle_time_on_the_command_line():
    assert "--idle SECONDS" in CliRunner().invoke(main, ["serve", "--help"]).output
    refused = CliRunner().invoke(main, ["serve", "--kiosk", "--idle", "0"])
    assert refused.exit_code == 2 and "--idle" in refused.output


def test_the_idle_dialog_is_on_every_kiosk_page_with_its_times(client):
    for path in ("/", PAGE, "/kiosk/", "/help", "/search"):
        (dialog,) = soup_of(client.get(path)).select("dialog#rd-kiosk-dialog")
        assert (dialog["data-idle"], dialog["data-countdown"]) == (str(IDLE), str(COUNTDOWN))
        assert dialog.select_one("#rd-kiosk-dialog-title").text == "还在阅读吗？"
        assert dialog.select_one("[data-kiosk-seconds]").text == str(COUNTDOWN)
        assert len(dialog.select("button")) == 1


def test_no_kiosk_no_dialog_no_start_screen(tmp_path):
    client = create_app({"TESTING": True, "CONTENT_DIR": str(CONTENT),
                         "INSTANCE_DIR": str(tmp_path)}).test_client()
    assert not soup_of(client.get(PAGE)).select("dialog")
    assert client.get("/kiosk/").status_code == 404
    assert kiosk.VISIT_COOKIE not in set_cookies(client.get(PAGE))


def test_the_start_screen_offers_three_choices_that_do_what_they_say(client):
    soup = soup_of(client.get("/kiosk/"))
    choices = soup.select("a.rd-kiosk-start__choice")
    assert [c.select_one(".rd-kiosk-start__label").text for c in choices] == ["放大字", "听朗读", "找报告"]
    assert all(c["data-say"].startswith("/kiosk/say/") for c in choices)
    bigger, listen, find = (client.get(c["href"], follow_redirects=True) for c in choices)
    assert "rd-size--4" in html_classes(bigger) and bigger.request.path == "/"
    listening = soup_of(listen)
    assert (pressed(listening, "reading"), pressed(listening, "captions")) == ("continuous", "on")
    assert soup_of(find).select(".rd-kiosk-topics__topic")


def test_the_kiosk_says_its_phrases_in_the_visitors_voice(client):
    said = client.get("/kiosk/say/still-reading.mp3")
    assert said.status_code == 302 and said.headers["Location"].startswith("/audio/")
    client.get(f"/settings?voice=yue&next={PAGE}")
    assert client.get("/kiosk/say/still-reading.mp3").headers["Location"] != said.headers["Location"]
    assert client.get("/kiosk/say/anything.mp3").status_code == 404


def test_help_on_a_kiosk_explains_touch_not_keys(client):
    soup = soup_of(client.get("/help"))
    text = soup.main.get_text()
    assert "向左滑" in text and "还在阅读吗" in text
    assert not soup.select("kbd") and "Alt" not in text and "Esc" not in text and "大鼠标" not in text


def test_no_large_cursor_is_offered_on_a_touch_screen(client):
    assert SETTING["cursor"].pointer_only
    for path in (PAGE + "?toolbar=open", "/settings"):
        soup = soup_of(client.get(path))
        assert not soup.select('[data-setting="cursor"], input[name="cursor"]'), path
        assert "大鼠标" not in soup.get_text()


def test_search_offers_topic_buttons_the_library_has(client):
    topics = soup_of(client.get("/search")).select("a.rd-kiosk-topics__topic")
    assert 3 <= len(topics) <= kiosk.TOPIC_COUNT
    for topic in topics:
        found = soup_of(client.get(topic["href"]))
        assert found.select(".rd-results__item"), topic.text
        assert found.select_one("#rd-search-q")["value"] == topic.text


def test_configured_topics_are_offered_as_they_are_written(tmp_path):
    client = kiosk_app(tmp_path, KIOSK_TOPICS=["长者饭堂", "垃圾分类"]).test_client()
    topics = soup_of(client.get("/search?q=垃圾分类")).select("a.rd-kiosk-topics__topic")
    assert [t.text for t in topics] == ["长者饭堂", "垃圾分类"]
    assert [t.get("aria-current") for t in topics] == [None, "page"]


def test_a_new_visit_and_an_ongoing_one_are_never_given_each_others_page(tmp_path):
    """A kiosk's page says whether the visit is new (the page then clears what the last
    visitor left in the browser); pages are kept rendered, so that must be in their key."""
    app = kiosk_app(tmp_path)
    ongoing, arriving = app.test_client(), app.test_client()
    cover = f"/r/{SLUG}/"
    ongoing.get("/")  # a visit begins
    for client, new in ((ongoing, "false"), (arriving, "true"), (ongoing, "false")):
        dialog = soup_of(client.get(cover)).select_one("[data-new-visit]")
        assert dialog["data-new-visit"] == new


def test_each_link_to_help_has_a_name_of_its_own(client):
    """A screen reader's list of links tells them apart: the header's 帮助 and the toolbar's."""
    soup = soup_of(client.get(f"{PAGE}?toolbar=open"))
    names = [a.get_text(strip=True) for a in soup.select('a[href="/help"]')]
    assert len(names) >= 2 and len(set(names)) == len(names), names
