"""The reader's display and speech settings: one table of names, values, defaults and labels.

Plain code, no Flask. Everything else is derived from `SETTINGS`: the cookie parser, the
settings form, the toolbar and its no-JS links, the classes on <html>, the defaults the
JavaScript is sent, and the README test. The server reads the cookie on every request, so
the first paint is already right and everything works without JavaScript. Unknown names
and values are ignored, never an error.

Labels are message ids (Simplified Chinese) for the Babel catalogues, except the names of
the interface languages, which are shown in their own language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from reader.speech.voices import (
    DEFAULT_PAUSES,
    DEFAULT_RATE,
    DEFAULT_VOICE,
    PAUSE_TABLE,
    RATE_TABLE,
    VOICE_TABLE,
)

COOKIE_NAME = "rd_settings"
COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Choice:
    value: str
    label: str  # a message id; for an interface language, its own name
    lang: str = ""  # the label's language tag when it is not the interface's (界面语言)


@dataclass(frozen=True)
class Setting:
    name: str  # in the cookie, the URL and the form
    label: str  # a message id
    choices: tuple[Choice, ...]  # in the order they are shown
    default: str
    toolbar_row: int | None = None  # which row of 无障碍版 shows it; None: not in the toolbar
    in_form: bool = True  # shown on /settings
    reloads: bool = False  # changes text the server renders, so a change reloads the page
    # value → the class on <html> that the stylesheet keys the mode on
    html_classes: Mapping[str, str] = field(default_factory=dict)
    # a message id shown in its toolbar group only without JavaScript, when the values
    # other than "off" need a script to do anything
    needs_script_note: str = ""
    pointer_only: bool = False  # means nothing on a touch screen: not offered on a kiosk

    def __post_init__(self) -> None:
        if self.default not in self.values:
            raise ValueError(f"setting {self.name}: default {self.default!r} is not a value")

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)


@dataclass(frozen=True)
class InterfaceLanguage:
    code: str  # the `lang` setting's value
    label: str  # its own name, in itself
    tag: str  # BCP 47, for <html lang> and for a label in that language
    locale: str  # Babel's locale, for dates


INTERFACE_LANGUAGES = (
    InterfaceLanguage("zh_CN", "简体中文", "zh-CN", "zh_Hans_CN"),
    InterfaceLanguage("zh_Hant", "繁體中文", "zh-HK", "zh_Hant_HK"),
    InterfaceLanguage("en", "English", "en", "en"),
)
INTERFACE_LANGUAGE = {language.code: language for language in INTERFACE_LANGUAGES}


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, label) for value, label in pairs)


def _class_each(prefix: str, choices: tuple[Choice, ...]) -> dict[str, str]:
    return {choice.value: f"{prefix}{choice.value}" for choice in choices}


_SIZES = _choices(("1", "100%"), ("2", "150%"), ("3", "200%"), ("4", "250%"), ("5", "300%"))
_SPACINGS = _choices(("normal", "标准"), ("wide", "加宽"))
_THEMES = _choices(
    ("default", "默认"),
    ("black-white", "黑底白字"),
    ("black-yellow", "黑底黄字"),
    ("blue-white", "蓝底白字"),
    ("yellow-black", "黄底黑字"),
)
# Line focus (聚焦N行) is a guide too: it answers the same need (keep my place), and a ruler
# drawn inside a lit band would only repeat it, so one row chooses one of them.
_GUIDES = _choices(("off", "关闭"), ("ruler", "阅读尺"), ("crosshair", "十字线"),
                   ("focus1", "聚焦1行"), ("focus3", "聚焦3行"), ("focus5", "聚焦5行"))
_CURSORS = _choices(("normal", "标准"), ("large", "大鼠标"))

SETTINGS: tuple[Setting, ...] = (
    # 长者模式 on its own: the simpler header and larger controls (the preset also sets
    # size and spacing).
    Setting("elder", "长者模式", _choices(("off", "关闭"), ("on", "开启")), "off",
            html_classes={"on": "rd-elder"}),
    Setting("size", "字号", _SIZES, "1", toolbar_row=0,
            html_classes=_class_each("rd-size--", _SIZES)),
    Setting("spacing", "行距", _SPACINGS, "normal", toolbar_row=0,
            html_classes=_class_each("rd-spacing--", _SPACINGS)),
    Setting("theme", "配色", _THEMES, "default", toolbar_row=0,
            html_classes=_class_each("rd-theme--", _THEMES)),
    Setting("voice", "朗读语音", tuple(Choice(v.code, v.label) for v in VOICE_TABLE),
            DEFAULT_VOICE, toolbar_row=1),
    Setting("rate", "语速", tuple(Choice(r.name, r.label) for r in RATE_TABLE), DEFAULT_RATE,
            toolbar_row=1),
    # longer silence after clauses and sentences, for listeners who need time to follow
    Setting("pauses", "停顿", tuple(Choice(p.name, p.label) for p in PAUSE_TABLE),
            DEFAULT_PAUSES, toolbar_row=1),
    Setting("reading", "朗读方式",
            _choices(("off", "关闭"), ("continuous", "连读"), ("point", "指读")), "off",
            toolbar_row=1),
    Setting("captions", "大字幕", _choices(("off", "关闭"), ("on", "开启")), "off",
            toolbar_row=1, html_classes={"on": "rd-captions"}),
    # the word being said marked inside the sentence being read, where the voice tells when
    Setting("word_highlight", "逐词高亮", _choices(("on", "开启"), ("off", "关闭")), "on",
            toolbar_row=1),
    Setting("guide", "辅助线", _GUIDES, "off", toolbar_row=2,
            html_classes=_class_each("rd-guide--", _GUIDES),
            needs_script_note="辅助线跟随鼠标、键盘和朗读，需要浏览器运行 JavaScript；现在不会显示。"),
    Setting("cursor", "鼠标指针", _CURSORS, "normal", toolbar_row=2,
            html_classes=_class_each("rd-cursor--", _CURSORS), pointer_only=True),
    Setting("script", "简繁", _choices(("hans", "简体"), ("hant", "繁體")), "hans",
            toolbar_row=2, reloads=True),
    # 拼音 or 粤拼 above the characters of report text, as the voice reads them
    Setting("ruby", "注音", _choices(("off", "关闭"), ("pinyin", "拼音"), ("jyutping", "粤拼")),
            "off", toolbar_row=2, reloads=True,
            html_classes={"pinyin": "rd-ruby-on", "jyutping": "rd-ruby-on"}),
    Setting("lang", "界面语言",
            tuple(Choice(i.code, i.label, i.tag) for i in INTERFACE_LANGUAGES), "zh_CN",
            toolbar_row=2, reloads=True),
    # Whether 无障碍版 closes by itself once a value is chosen. Whether it is open is no
    # setting: it belongs to one visit of one page (`?toolbar=` in its URL), so the next
    # page never opens with it.
    Setting("autoclose", "选好后收起工具栏", _choices(("off", "关闭"), ("on", "开启")), "off"),
)  # fmt: skip
SETTING = {setting.name: setting for setting in SETTINGS}
TOOLBAR_ROWS: tuple[tuple[Setting, ...], ...] = tuple(
    tuple(s for s in SETTINGS if s.toolbar_row == row)
    for row in sorted({s.toolbar_row for s in SETTINGS if s.toolbar_row is not None})
)
DEFAULTS: dict[str, str] = {setting.name: setting.default for setting in SETTINGS}


def for_touch(rows: tuple[tuple[Setting, ...], ...]) -> tuple[tuple[Setting, ...], ...]:
    """The toolbar's rows without the settings a touch screen has no use for."""
    return tuple(tuple(s for s in row if not s.pointer_only) for row in rows)

PRESETS = ("elder", "reset")
# 长者助手: text at least 150 % (a larger size the reader chose stays), wide spacing. What
# it changed is kept beside it (`before_size`, `before_spacing`) until it is turned off,
# which gives the reader's own values back.
ELDER_PRESET = {"elder": "on", "size": "2", "spacing": "wide"}
ELDER_RAISES_ONLY = ("size",)
BEFORE_ELDER = "before_"
# A kiosk's defaults unless its config says otherwise: 长者助手 on, in the default voice and
# rate (a hall in Hong Kong or among Cantonese speakers sets "voice": "yue").
KIOSK_DEFAULTS = {"preset": "elder", "voice": DEFAULT_VOICE, "rate": DEFAULT_RATE}
# When the text is 繁體 and no interface language was chosen, the interface is 繁體 too.
INTERFACE_FOR_SCRIPT = {"hant": "zh_Hant"}


def defaults_problem(defaults: object) -> str | None:
    """What is wrong with a place's defaults (a mapping of setting names, or "preset",
    to values), or None when every name and value is one the settings know."""
    if not isinstance(defaults, Mapping):
        return f"{defaults!r} is not a mapping of settings to values"
    for name, value in defaults.items():
        if name == "preset":
            if value != "elder":
                return f"preset {value!r} is not 'elder'"
        elif name not in SETTING:
            return f"{name!r} is not a setting ({', '.join(SETTING)})"
        elif value not in SETTING[name].values:
            return f"{name} {value!r} is not one of {', '.join(SETTING[name].values)}"
    return None


def _valid(name: str, value: str) -> bool:
    """A setting's value, or what 长者助手 changed (`before_size=4`)."""
    if name.startswith(BEFORE_ELDER):
        name = name.removeprefix(BEFORE_ELDER)
        if name not in ELDER_PRESET or name == "elder":
            return False
    return name in SETTING and value in SETTING[name].values


class Settings:
    """One reader's settings: a valid value for every name in SETTINGS.

    Read a value as an attribute (`settings.theme`). Immutable: `updated` returns a copy.
    What the reader chose is kept apart from what follows from it (`_chosen`, the
    cookie): a chosen value stays when it is the default (an interface language chosen
    stays whatever the script), and 长者助手 remembers what it changed.
    """

    __slots__ = ("_baseline", "_chosen", "_values")

    def __init__(
        self, values: Mapping[str, str] | None = None, baseline: Mapping[str, str] | None = None
    ) -> None:
        # What 退出/重置 returns to: nothing chosen, or on a kiosk its defaults (chosen values)
        self._baseline = dict(baseline or {})
        chosen = {name: value for name, value in (values or {}).items() if _valid(name, value)}
        if chosen.get("elder") != "on":  # nothing to give back once 长者助手 is off
            chosen = {k: v for k, v in chosen.items() if not k.startswith(BEFORE_ELDER)}
        self._chosen = chosen
        self._values = {name: chosen.get(name, default) for name, default in DEFAULTS.items()}
        if "lang" not in chosen:
            self._values["lang"] = INTERFACE_FOR_SCRIPT.get(self._values["script"], DEFAULTS["lang"])

    def __getattr__(self, name: str) -> str:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and self._chosen == other._chosen

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._chosen.items())))

    def __repr__(self) -> str:
        return f"Settings({self._chosen!r})"

    @classmethod
    def baseline_of(cls, defaults: Mapping[str, str]) -> Settings:
        """A place's own defaults (a kiosk's `KIOSK_DEFAULTS`: settings and presets as the
        settings links name them), which its visitors start from and 退出/重置 returns to."""
        chosen = cls().updated(defaults)._chosen
        return cls(chosen, chosen)

    @classmethod
    def from_cookie(cls, cookie: str | None, baseline: Settings | None = None) -> Settings:
        """Settings from the cookie's value, over `baseline` (a kiosk's defaults).

        The cookie keeps every value chosen, a default one too, so a choice that undoes
        the baseline (长者助手 off, 100 %, 标准 spacing on a kiosk) stays.
        """
        base = baseline or cls()
        if not cookie:
            return base
        values = {**base._chosen, **dict(parse_qsl(cookie, keep_blank_values=False))}
        return cls(values, base._baseline)

    def updated(self, changes: Mapping[str, str]) -> Settings:
        """A copy with the valid names and values of `changes` applied, presets first.

        A value a setting already has is no change: the settings form sends every
        setting, and saving it must neither fix the interface language nor make 长者助手
        forget what it changed.
        """
        preset = changes.get("preset")
        if preset == "reset":  # 退出/重置 wins over anything sent with it
            return Settings(self._baseline, self._baseline)
        chosen = dict(self._chosen)
        if preset == "elder" and not self.is_elder:
            for name, value in ELDER_PRESET.items():
                if name != "elder":
                    chosen[BEFORE_ELDER + name] = self._values[name]
                chosen[name] = self._raised(name, value)
        for name, value in changes.items():
            if _valid(name, value) and name in SETTING and value != self._values[name]:
                chosen[name] = value
                chosen.pop(BEFORE_ELDER + name, None)  # chosen in 长者助手: kept after it
        return Settings(chosen, self._baseline)

    def _raised(self, name: str, value: str) -> str:
        """The preset's value, or the reader's own where that is larger (text size)."""
        if name not in ELDER_RAISES_ONLY:
            return value
        order = SETTING[name].values
        return max(value, self._values[name], key=order.index)

    def changed_from_default(self) -> dict[str, str]:
        return {name: value for name, value in self._values.items() if value != DEFAULTS[name]}

    def to_cookie(self) -> str:
        return urlencode(self._chosen)

    @property
    def is_elder(self) -> bool:
        return self.elder == "on"

    def elder_switch(self) -> dict[str, str]:
        """The change that 长者助手 makes: the preset on, or off with the reader's own back.

        A value the preset set and the reader has not changed since returns to what it
        was; one without a record (a cookie from before they were kept) returns to its
        default if it still holds the preset's value.
        """
        if not self.is_elder:
            return {"preset": "elder"}
        change = {"elder": "off"}
        for name, value in ELDER_PRESET.items():
            before = self._chosen.get(BEFORE_ELDER + name)
            if before is not None:
                change[name] = before
            elif name != "elder" and self._values[name] == value:
                change[name] = DEFAULTS[name]
        return change

    @property
    def html_lang(self) -> str:
        return INTERFACE_LANGUAGE[self.lang].tag

    @property
    def locale(self) -> str:
        """Babel's locale for dates in the interface language."""
        return INTERFACE_LANGUAGE[self.lang].locale

    @property
    def content_lang(self) -> str:
        """The language tag of report text, which is Chinese whatever the interface.

        繁體 report text is converted as the 繁體中文 interface is (OpenCC s2hk), so it
        carries that interface language's tag; 简体 text the 简体中文 one's.
        """
        return INTERFACE_LANGUAGE["zh_Hant" if self.script == "hant" else "zh_CN"].tag

    def html_classes(self) -> str:
        """Classes on <html> that the stylesheet keys every mode on."""
        classes = (s.html_classes.get(self._values[s.name]) for s in SETTINGS)
        return " ".join(c for c in classes if c)
