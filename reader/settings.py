"""The reader's display and speech settings: names, values, presets and the cookie.

Plain code, no Flask. The server reads the cookie on every request, so the first paint
is already right and everything works without JavaScript. Unknown names and values are
ignored, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from urllib.parse import parse_qsl, urlencode

COOKIE_NAME = "rd_settings"
COOKIE_MAX_AGE = 365 * 24 * 3600

# name → allowed values; the first value is the default.
SETTINGS: dict[str, tuple[str, ...]] = {
    "size": ("1", "2", "3", "4", "5"),
    "spacing": ("normal", "wide"),
    "theme": ("default", "black-white", "black-yellow", "blue-white", "yellow-black"),
    "voice": ("cmn", "yue"),
    "rate": ("normal", "slow", "fast"),
    "reading": ("off", "continuous", "point"),
    "captions": ("off", "on"),
    "guide": ("off", "ruler", "crosshair"),
    "cursor": ("normal", "large"),
    "script": ("hans", "hant"),
    "lang": ("zh_CN", "zh_Hant", "en"),
    # Not in the design's list, but state the presets and the toolbar need to keep:
    # 长者模式 (simpler header, larger controls) and whether 无障碍版 is open.
    "elder": ("off", "on"),
    "toolbar": ("closed", "open"),
}
PRESETS = ("elder", "reset")
# Interface language → the tag on <html> (and on a passage in that language).
LANG_TAGS = {"zh_CN": "zh-CN", "zh_Hant": "zh-HK", "en": "en"}
ELDER_PRESET = {"elder": "on", "size": "2", "spacing": "wide"}


@dataclass(frozen=True)
class Settings:
    size: str = "1"
    spacing: str = "normal"
    theme: str = "default"
    voice: str = "cmn"
    rate: str = "normal"
    reading: str = "off"
    captions: str = "off"
    guide: str = "off"
    cursor: str = "normal"
    script: str = "hans"
    lang: str = "zh_CN"
    elder: str = "off"
    toolbar: str = "closed"

    @classmethod
    def from_cookie(cls, cookie: str | None, kiosk: bool = False) -> Settings:
        """Settings from the cookie's value; a kiosk starts in 长者模式."""
        base = cls().updated({"preset": "elder"}) if kiosk else cls()
        if not cookie:
            return base
        return base.updated(dict(parse_qsl(cookie, keep_blank_values=False)))

    def updated(self, changes: dict[str, str]) -> Settings:
        """A copy with the valid names and values of `changes` applied, presets first."""
        current = self
        preset = changes.get("preset")
        if preset == "reset":  # 退出/重置 wins over anything sent with it
            return Settings(toolbar=self.toolbar)
        if preset == "elder":
            current = replace(current, **ELDER_PRESET)
        valid = {
            name: value
            for name, value in changes.items()
            if name in SETTINGS and value in SETTINGS[name]
        }
        return replace(current, **valid)

    def changed_from_default(self) -> dict[str, str]:
        default = Settings()
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        }

    def to_cookie(self) -> str:
        return urlencode(self.changed_from_default())

    @property
    def is_elder(self) -> bool:
        return self.elder == "on"

    @property
    def html_lang(self) -> str:
        return LANG_TAGS[self.lang]

    @property
    def content_lang(self) -> str:
        """The language tag of report text, which is Chinese whatever the interface."""
        return "zh-HK" if self.script == "hant" else "zh-CN"

    def html_classes(self) -> str:
        """Classes on <html> that the stylesheet keys every mode on."""
        classes = [
            f"rd-theme--{self.theme}",
            f"rd-size--{self.size}",
            f"rd-spacing--{self.spacing}",
            f"rd-guide--{self.guide}",
            f"rd-cursor--{self.cursor}",
        ]
        if self.is_elder:
            classes.append("rd-elder")
        if self.captions == "on":
            classes.append("rd-captions")
        return " ".join(classes)
