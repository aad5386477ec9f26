"""Controls that do what they say (issue #9): 长者助手 never lowers a size the reader chose
and gives it back when turned off, 繁體 text brings the 繁體 interface, the settings form
returns to the page it came from, 无障碍版 is open on one visit of one page only, and every
announcement says what changed, in the interface language.

Each test reads the pages the server sends, as a no-JS browser would after following the
same links; tests/browser/test_phone_controls.py does the same in Chromium on a phone.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from conftest import soup_of

from reader.settings import COOKIE_NAME

PAGE = "/r/zs-dongqu-2020-work-plan/2"


def html_classes(client, path: str = PAGE) -> set[str]:
    return set(soup_of(client.get(path)).html["class"])


def follow_elder_switch(client, path: str = PAGE) -> None:
    """Press 长者助手 on `path` the way a no-JS reader does: follow its link."""
    href = soup_of(client.get(path)).select_one("#rd-elder-switch")["href"]
    response = client.get(href)
    assert response.status_code == 303 and response.headers["Location"] == path


@pytest.mark.parametrize(
    "size, spacing, elder_size",
    [("4", "normal", "4"), ("5", "wide", "5"), ("1", "normal", "2"), ("2", "normal", "2")],
)
def test_elder_switch_never_lowers_the_size_and_gives_back_what_it_changed(
    client, size, spacing, elder_size
):
    client.get(f"/settings?size={size}&spacing={spacing}&next=/")
    follow_elder_switch(client)
    assert {"rd-elder", f"rd-size--{elder_size}", "rd-spacing--wide"} <= html_classes(client)
    follow_elder_switch(client)
    classes = html_classes(client)
    assert "rd-elder" not in classes
    assert {f"rd-size--{size}", f"rd-spacing--{spacing}"} <= classes


def test_a_size_chosen_in_elder_mode_stays_when_it_ends(client):
    follow_elder_switch(client)  # 100 % → 150 %
    client.get("/settings?size=4&next=/")
    # Saving the form sends every setting; an unchanged spacing is no new choice.
    client.post("/settings", data={"spacing": "wide", "size": "4", "theme": "default"})
    follow_elder_switch(client)
    assert {"rd-size--4", "rd-spacing--normal"} <= html_classes(client)


def test_elder_switch_off_keeps_the_other_settings(client):
    client.get("/settings?theme=black-yellow&size=3&next=/")
    follow_elder_switch(client)
    follow_elder_switch(client)
    assert {"rd-theme--black-yellow", "rd-size--3"} <= html_classes(client)


def test_traditional_text_brings_the_traditional_interface_unless_a_language_was_chosen(client):
    client.get("/settings?script=hant&next=/")
    soup = soup_of(client.get(PAGE))
    assert soup.html["lang"] == "zh-HK"
    assert soup.select_one("#rd-page-next").get_text() == "下一頁"
    client.get("/settings?script=hans&next=/")
    assert soup_of(client.get(PAGE)).html["lang"] == "zh-CN"

    client.get("/settings?lang=en&next=/")
    client.get("/settings?script=hant&next=/")
    soup = soup_of(client.get(PAGE))
    assert soup.html["lang"] == "en" and soup.select_one("#rd-page-next").get_text() == "Next page"


def test_a_chosen_simplified_interface_stays_with_traditional_text(client):
    client.get("/settings?script=hant&next=/")
    client.get("/settings?lang=zh_CN&next=/")  # chosen while the interface was 繁體
    client.get("/settings?script=hans&next=/")
    client.get("/settings?script=hant&next=/")
    soup = soup_of(client.get(PAGE))
    assert soup.html["lang"] == "zh-CN" and soup.select_one("#rd-page-next").get_text() == "下一页"


def test_the_settings_form_turning_text_traditional_turns_the_interface_too(client):
    # The form sends the interface language it shows; that is no choice of one.
    form = soup_of(client.get("/settings"))
    sent = {radio["name"]: radio["value"] for radio in form.select("input[type=radio][checked]")}
    client.post("/settings", data={**sent, "script": "hant", "next": PAGE})
    assert soup_of(client.get(PAGE)).html["lang"] == "zh-HK"


def test_the_settings_form_returns_to_the_page_it_was_opened_from(client):
    link = soup_of(client.get(PAGE)).select_one("header nav a[href^='/settings']")
    form_page = client.get(link["href"])
    soup = soup_of(form_page)
    assert soup.select_one("form input[name=next]")["value"] == PAGE
    back = [a for a in soup.select("main a") if a["href"] == PAGE]
    assert back and back[0].get_text() == "不保存，返回原来的页面"
    response = client.post("/settings", data={"theme": "blue-white", "next": PAGE})
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    assert "rd-theme--blue-white" in html_classes(client)


def test_the_settings_form_opened_with_an_unsafe_next_returns_to_itself(client):
    soup = soup_of(client.get("/settings", query_string={"next": "//evil.example/"}))
    assert soup.select_one("form input[name=next]")["value"] == "/settings"
    assert not soup.select("main a[href*='evil']")


def test_the_script_setting_is_named_for_what_it_is(client):
    soup = soup_of(client.get("/settings"))
    legend = soup.select_one("#set-script-hans").find_parent("fieldset").legend.get_text()
    assert legend == "简繁"
    client.get("/settings?lang=en&next=/")
    soup = soup_of(client.get("/settings"))
    assert soup.select_one("#set-script-hans").find_parent("fieldset").legend.get_text() == (
        "Chinese script"
    )


# --- 无障碍版: open on one visit of one page ------------------------------------------


def test_the_toolbar_is_open_only_on_the_visit_that_asked_for_it(client):
    soup = soup_of(client.get(PAGE))
    assert soup.select_one("#rd-toolbar").has_attr("hidden")
    switch = soup.select_one("#rd-toolbar-switch")
    assert switch["aria-expanded"] == "false"
    opened = soup_of(client.get(switch["href"]))
    assert not opened.select_one("#rd-toolbar").has_attr("hidden")
    assert opened.select_one("#rd-toolbar-switch")["aria-expanded"] == "true"
    # The next page, reached by its own link, opens with the text.
    next_page = opened.select_one("#rd-page-next")["href"]
    assert not urlsplit(next_page).query
    assert soup_of(client.get(next_page)).select_one("#rd-toolbar").has_attr("hidden")
    assert client.get_cookie(COOKIE_NAME) is None  # opening it changed no setting


def test_a_no_js_choice_comes_back_with_its_group_unfolded(client):
    soup = soup_of(client.get(f"{PAGE}?toolbar=open"))
    link = soup.select_one("#rd-toolbar [data-setting=theme][data-value=blue-white]")
    response = client.get(link["href"])
    target = urlsplit(response.headers["Location"])
    assert target.path == PAGE and dict(parse_qsl(target.query)) == {"toolbar": "theme"}
    assert target.fragment == "rd-toolbar-theme"
    back = soup_of(client.get(f"{target.path}?{target.query}"))
    unfolded = [d["id"] for d in back.select("#rd-toolbar details[open]")]
    assert unfolded == ["rd-toolbar-theme"]
    assert back.select_one("#rd-toolbar-theme summary").get_text(" ", strip=True) == "配色 蓝底白字"


def test_with_autoclose_a_no_js_choice_comes_back_with_the_toolbar_closed(client):
    soup = soup_of(client.get(f"{PAGE}?toolbar=open"))
    switch = soup.select_one("#rd-toolbar-autoclose")
    assert switch["aria-pressed"] == "false"
    response = client.get(switch["href"])
    assert dict(parse_qsl(urlsplit(response.headers["Location"]).query)) == {"toolbar": "open"}
    soup = soup_of(client.get(f"{PAGE}?toolbar=open"))
    assert soup.select_one("#rd-toolbar-autoclose")["aria-pressed"] == "true"
    link = soup.select_one("#rd-toolbar [data-setting=size][data-value='3']")
    assert client.get(link["href"]).headers["Location"] == PAGE


@pytest.mark.parametrize("control", ["#rd-reset", "#rd-toolbar .rd-toolbar__close"])
def test_reset_and_the_close_buttons_close_the_toolbar_without_javascript(client, control):
    soup = soup_of(client.get(f"{PAGE}?toolbar=size"))
    response = client.get(soup.select_one(control)["href"])
    location = response.headers.get("Location", soup.select_one(control)["href"])
    assert "toolbar" not in location
    assert soup_of(client.get(location.split("#")[0])).select_one("#rd-toolbar").has_attr("hidden")


def test_a_settings_link_may_still_ask_for_the_toolbar_on_the_page_it_returns_to(client):
    response = client.get(f"/settings?theme=black-white&toolbar=open&next={PAGE}")
    assert response.headers["Location"] == f"{PAGE}?toolbar=open#rd-toolbar"
    assert "toolbar" not in client.get_cookie(COOKIE_NAME).value
    assert client.get("/settings?toolbar=open").status_code == 200  # the form, no loop


# --- what is announced -----------------------------------------------------------------


def announced(client, query: str) -> str:
    response = client.get(f"/settings?{query}", headers={"Accept": "application/json"})
    return response.get_json()["message"]


def test_announcements_say_what_changed(client):
    assert announced(client, "size=3") == "字号 200%"
    assert announced(client, "captions=on") == "大字幕 开启"
    assert announced(client, "theme=black-yellow") == "配色 黑底黄字"
    assert announced(client, "preset=elder") == "已进入长者模式"
    assert announced(client, "elder=off&size=3&spacing=normal") == "已退出长者模式"
    assert announced(client, "preset=reset") == "已恢复默认设置"


def test_announcements_are_in_the_interface_language_the_change_leaves(client):
    assert announced(client, "lang=en") == "Interface language English"
    assert announced(client, "size=5") == "Text size 300%"
    assert announced(client, "lang=zh_Hant") == "界面語言 繁體中文"
