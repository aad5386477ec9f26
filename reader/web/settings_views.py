"""/settings: the display and speech settings as a plain form, and as toolbar links."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, jsonify, redirect, render_template, request, url_for

from reader.settings import COOKIE_MAX_AGE, COOKIE_NAME, DEFAULTS, SETTING, SETTINGS, TOOLBAR_ROWS
from reader.speech.voices import BROWSER_RATES, VOICE_TABLE
from reader.web.i18n import gettext

bp = Blueprint("settings", __name__)


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    changes = request.form if request.method == "POST" else request.args
    changes = {k: v for k, v in changes.items() if k in SETTING or k == "preset"}
    if not changes:
        return render_template("settings/form.html")
    g.settings = g.settings.updated(changes)
    if request.accept_mimetypes.best == "application/json":
        response = jsonify(
            classes=g.settings.html_classes(),
            settings=g.settings.changed_from_default(),
            message=announcement(changes),
        )
    else:
        response = redirect(safe_next(request.values.get("next")), code=303)
    response.set_cookie(
        COOKIE_NAME, g.settings.to_cookie(), max_age=COOKIE_MAX_AGE, samesite="Lax",
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


def announcement(changes: dict[str, str]) -> str:
    """One sentence a screen reader announces after a change."""
    if changes.get("preset") == "reset":
        return gettext("已恢复默认设置")
    if changes.get("preset") == "elder":
        return gettext("已进入长者模式")
    return gettext("设置已更新")


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
    return {
        "SETTINGS": SETTINGS,
        "TOOLBAR_ROWS": TOOLBAR_ROWS,
        "SHORTCUTS": SHORTCUTS,
        "SHORTCUT_KEYMAP": [(keys, action) for keys, _what, action in SHORTCUTS],
        "KEY_NAMES": KEY_NAMES,
        "SETTINGS_DEFAULTS": DEFAULTS,
        "BROWSER_RATES": BROWSER_RATES,
        "VOICE_TAGS": {voice.code: voice.tag for voice in VOICE_TABLE},
    }
