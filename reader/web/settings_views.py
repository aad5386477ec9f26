"""/settings: the display and speech settings as a plain form, and as toolbar links."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for

from reader.settings import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    DEFAULTS,
    SETTING,
    SETTINGS,
    TOOLBAR_ROWS,
    Setting,
    Settings,
    for_touch,
)
from reader.speech.voices import BROWSER_RATES, VOICE_TABLE
from reader.web import kiosk
from reader.web.i18n import gettext

bp = Blueprint("settings", __name__)


# `?toolbar=` on a page: 无障碍版 open on this visit of it ("open"), with one setting's
# group unfolded (its name). Never kept anywhere else, so the next page opens closed.
TOOLBAR_GROUPS = tuple(setting.name for row in TOOLBAR_ROWS for setting in row)
TOOLBAR_STATES = ("open", *TOOLBAR_GROUPS)


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    changes = request.form if request.method == "POST" else request.args
    changes = {k: v for k, v in changes.items() if k in SETTING or k == "preset"}
    toolbar = request.values.get("toolbar")
    opens_toolbar = toolbar in TOOLBAR_STATES and "next" in request.values
    if not changes and not opens_toolbar:  # /settings?toolbar=open alone shows the form
        return render_template("settings/form.html", back=_form_back())
    before = g.settings
    g.settings = g.settings.updated(changes)
    if request.accept_mimetypes.best == "application/json":
        response = jsonify(
            classes=g.settings.html_classes(),
            settings=g.settings.changed_from_default(),
            message=announcement(changes, before),
        )
    else:
        target = safe_next(request.values.get("next"))
        if opens_toolbar:
            target = with_toolbar(target, toolbar)
        response = redirect(target, code=303)
    response.set_cookie(
        COOKIE_NAME, g.settings.to_cookie(), max_age=kiosk.cookie_max_age(COOKIE_MAX_AGE), samesite="Lax",
        httponly=False, path="/",
    )
    return response


def safe_next(target: str | None) -> str:
    """Only a path on this site: never a way out to the open web.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    "/%09/evil.example" (a tab, decoded before we see it) or "/\\evil.example" would
    take them to "//evil.example", another host. So a target must be one leading slash,
    then printable characters with no space and no backslash, with no "." or ".."
    segment, and neither scheme nor host; anything else goes back to the settings page.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("settings.settings")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or {".", ".."} & set(parts.path.split("/"))
        or not all(character.isprintable() and not character.isspace() for character in target)
    ):
        return url_for("settings.settings")
    return target


def _form_back() -> str | None:
    """The page the settings form was opened from, if a safe one was named."""
    target = request.args.get("next")
    back = safe_next(target)
    return back if target and back == target else None


def with_toolbar(target: str, toolbar: str | None) -> str:
    """`target` (a path on this site) with 无障碍版 open as `toolbar` says, or closed (None).

    An unfolded group is scrolled to (`#rd-toolbar-size`), so a reader coming back from
    a no-JS choice sees the values they were choosing from.
    """
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "toolbar"]
    fragment = parts.fragment
    if toolbar in TOOLBAR_STATES:
        query.append(("toolbar", toolbar))
        fragment = "rd-toolbar" if toolbar == "open" else f"rd-toolbar-{toolbar}"
    return urlunsplit(("", "", parts.path, urlencode(query), fragment))


def announcement(changes: dict[str, str], before: Settings) -> str:
    """One sentence a screen reader announces after a change, saying what changed
    ("字号 200%"), in the interface language the change leaves."""
    if changes.get("preset") == "reset":
        return gettext("已恢复默认设置")
    if changes.get("preset") == "elder" or (changes.get("elder") == "on" and not before.is_elder):
        return gettext("已进入长者模式")
    if changes.get("elder") == "off" and before.is_elder:
        return gettext("已退出长者模式")
    changed = [SETTING[name] for name in changes if name in SETTING and
               getattr(before, name) != getattr(g.settings, name)]
    if len(changed) != 1:
        return gettext("设置已更新")
    setting = changed[0]
    return gettext("%(setting)s %(value)s", setting=gettext(setting.label),
                   value=choice_label(setting, getattr(g.settings, setting.name)))


def choice_label(setting: Setting, value: str) -> str:
    """What the reader sees for a value: its label in the interface language, or an
    interface language's own name."""
    choice = next(choice for choice in setting.choices if choice.value == value)
    return choice.label if choice.lang else gettext(choice.label)


# Keyboard shortcuts: (keys, what they do, where they act). Alt+Shift with a digit clashes
# with no browser menu and no screen-reader key (NVDA, JAWS, Narrator and Orca use
# Insert/CapsLock, VoiceOver Ctrl+Option); ← and → act only when focus is not in a field.
# "setting:<name>:next|prev" steps through a toolbar group; "click:<id>" presses a control.
SHORTCUTS = (
    ("Alt+Shift+1", "开启或退出长者助手", "click:rd-elder-switch"),
    ("Alt+Shift+2", "打开或收起无障碍工具栏", "click:rd-toolbar-switch"),
    ("Alt+Shift+3", "放大字号", "setting:size:next"),
    ("Alt+Shift+4", "缩小字号", "setting:size:prev"),
    ("Alt+Shift+5", "换一种配色", "setting:theme:next"),
    ("Alt+Shift+6", "切换行距", "setting:spacing:next"),
    ("Alt+Shift+7", "朗读：开始或暂停", "click:rd-player-toggle"),
    ("Alt+Shift+8", "开启或关闭大字幕", "setting:captions:next"),
    ("Alt+Shift+9", "切换辅助线（阅读尺、十字线）", "setting:guide:next"),
    ("Alt+Shift+0", "退出无障碍设置，恢复默认", "click:rd-reset"),
    ("ArrowLeft", "上一页（焦点不在输入框时）", "click:rd-page-prev"),
    ("ArrowRight", "下一页（焦点不在输入框时）", "click:rd-page-next"),
)
KEY_NAMES = {"ArrowLeft": "←", "ArrowRight": "→"}


@bp.app_context_processor
def setting_labels() -> dict:
    touch = current_app.config["KIOSK"]  # a kiosk's touch screen: no 大鼠标
    return {
        "SETTINGS": tuple(s for s in SETTINGS if not (touch and s.pointer_only)),
        "TOOLBAR_ROWS": for_touch(TOOLBAR_ROWS) if touch else TOOLBAR_ROWS,
        "SHORTCUTS": SHORTCUTS,
        "SHORTCUT_KEYMAP": [(keys, action) for keys, _what, action in SHORTCUTS],
        "KEY_NAMES": KEY_NAMES,
        "SETTINGS_DEFAULTS": DEFAULTS,
        "BROWSER_RATES": BROWSER_RATES,
        "VOICE_TAGS": {voice.code: voice.tag for voice in VOICE_TABLE},
        "toolbar_state": _toolbar_state(),
        "toolbar_url": lambda toolbar=None: with_toolbar(request.full_path.rstrip("?"), toolbar),
        "choice_label": choice_label,
    }


def _toolbar_state() -> str | None:
    state = request.args.get("toolbar")
    return state if state in TOOLBAR_STATES else None
