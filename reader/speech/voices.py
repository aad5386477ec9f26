"""The voices and rates the reader speaks in: one table each, read by every layer.

A voice is a spoken language, not a particular engine's voice: the machine's own voice
for it is chosen by `choose_voice` from `Voice.engine_preferences` (per pyttsx3 driver,
best first), and when the machine has none the browser's speechSynthesis is asked for
`Voice.tag` instead. A rate is a name the reader picks; the engine gets words a minute
and the browser a speechSynthesis rate.

Plain code with no imports beyond the standard library, so that a voice worker process
and the settings can both read it cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# macOS voices, for pyttsx3's NSSpeechSynthesizer and AVSpeechSynthesizer drivers alike
_MACOS_MANDARIN = ("tingting", "lili", "yushu", "zh-cn")
_MACOS_CANTONESE = ("sinji", "zh-hk")


@dataclass(frozen=True)
class Voice:
    """A language the reader speaks, and how each engine and the browser are asked for it."""

    code: str  # in the settings cookie, the manifest and audio keys: "cmn", "yue"
    label: str  # a message id (Simplified Chinese) for the catalogues
    tag: str  # BCP 47: the manifest's "lang", what the browser's own speech is asked for
    # pyttsx3 driver → what to look for in the machine's voices, best first. A token
    # matches a voice whose id ends with it, whose name contains it (ignoring case, spaces
    # and hyphens) or whose language tag equals it (ignoring case, "_" or "-").
    engine_preferences: Mapping[str, tuple[str, ...]] = field(hash=False)
    # The OpenCC configuration the spoken text goes through before this voice reads it,
    # or None to leave the text as it is.
    text_conversion: str | None = None
    # Engine voice id (its last part, lower case) → the romanisation it reads mixed with
    # characters, for reader.speech.pronunciation; an engine voice not named here is
    # given the spoken form as it is.
    pronunciations: Mapping[str, str] = field(default_factory=dict, hash=False)
    # The engine's volume (pyttsx3's 0 to 1) that gives this voice the loudness every voice
    # shares. espeak-ng clips at its full volume (peaks at -0.1 dBFS); these leave headroom
    # and bring both voices to the same level (measured by tests/test_audio_levels.py).
    volume: float = 1.0


@dataclass(frozen=True)
class Rate:
    """A speaking rate the reader picks, as the engine and the browser each measure it."""

    name: str  # in the settings cookie, the manifest and audio keys
    label: str  # a message id
    # Words a minute as espeak-ng counts them, per voice code; SAPI5 and macOS map these
    # onto their own scales. espeak's Cantonese says more syllables a minute than its
    # Mandarin at the same setting, so each voice has the figure that gives the same
    # syllables a second (measured by tests/test_audio_levels.py).
    words_per_minute: Mapping[str, int] = field(hash=False)
    browser_rate: float  # speechSynthesis's rate, 1 being the browser voice's normal
    # how much longer (or shorter) than at the normal rate each pause is
    pause_scale: float = 1.0


@dataclass(frozen=True)
class Pauses:
    """How long the silence after a clause and after a sentence is, at the normal rate.

    Older listeners follow speech better with longer pauses than with a slower voice, so
    the reader may lengthen them. The engine's own pauses vary (a comma 0.09 to 0.55 s
    with espeak-ng, by rate and voice); the server's voice is given exactly these.
    """

    name: str  # in the settings cookie, the manifest and audio keys
    label: str  # a message id
    clause_seconds: float  # after ，、；：
    sentence_seconds: float  # after 。！？


VOICE_TABLE: tuple[Voice, ...] = (
    Voice(
        "cmn",
        "普通话",
        "zh-CN",
        {
            # plain "cmn" reads many characters as English-spelled pinyin
            "espeak": ("cmn-latn-pinyin", "cmn", "zh"),
            "sapi5": ("huihui", "yaoyao", "kangkang", "zh-cn"),
            "nsss": _MACOS_MANDARIN,
            "avspeech": _MACOS_MANDARIN,
        },
        pronunciations={"cmn-latn-pinyin": "pinyin"},
        volume=0.8,
    ),
    Voice(
        "yue",
        "粤语",
        "zh-HK",
        {
            # the Jyutping variant reads characters as "yue" does, and Jyutping too
            "espeak": ("yue-latn-jyutping", "yue", "zh-yue"),
            "sapi5": ("tracy", "danny", "zh-hk"),
            "nsss": _MACOS_CANTONESE,
            "avspeech": _MACOS_CANTONESE,
        },
        # Hong Kong traditional characters: espeak's yue voice reads a few simplified
        # characters with the wrong sound (斗 in 奋斗), and Cantonese system voices
        # elsewhere expect traditional text.
        text_conversion="s2hk",
        pronunciations={"yue-latn-jyutping": "jyutping"},
        volume=0.82,
    ),
)

# In the order they are shown. Mandarin at 140, 175 and 220 words a minute says about
# 3.0, 3.9 and 5.1 syllables a second of speech, pauses left out (news readers speak 4 to
# 5); Cantonese says as many at 108, 137 and 175. "slow" is for elderly listeners.
RATE_TABLE: tuple[Rate, ...] = (
    Rate("slow", "慢", {"cmn": 140, "yue": 108}, 0.7, pause_scale=1.2),
    Rate("normal", "中", {"cmn": 175, "yue": 137}, 1),
    Rate("fast", "快", {"cmn": 220, "yue": 175}, 1.3, pause_scale=0.8),
)

# In the order they are shown: 标准 about what espeak-ng gives Mandarin at the normal rate,
# made the same after every clause; 加长 twice that.
PAUSE_TABLE: tuple[Pauses, ...] = (
    Pauses("normal", "标准", clause_seconds=0.25, sentence_seconds=0.45),
    Pauses("long", "加长", clause_seconds=0.5, sentence_seconds=0.9),
)

DEFAULT_VOICE = "cmn"
DEFAULT_RATE = "normal"
DEFAULT_PAUSES = "normal"

VOICE_BY_CODE: dict[str, Voice] = {voice.code: voice for voice in VOICE_TABLE}
VOICES: tuple[str, ...] = tuple(VOICE_BY_CODE)
RATE_BY_NAME: dict[str, Rate] = {rate.name: rate for rate in RATE_TABLE}
RATES: dict[str, Mapping[str, int]] = {rate.name: rate.words_per_minute for rate in RATE_TABLE}
PAUSES: dict[str, Pauses] = {pauses.name: pauses for pauses in PAUSE_TABLE}
BROWSER_RATES: dict[str, float] = {rate.name: rate.browser_rate for rate in RATE_TABLE}


def pause_seconds(pauses: str, rate: str) -> tuple[float, float]:
    """Seconds of silence after a clause and after a sentence, for `pauses` at `rate`."""
    chosen, scale = PAUSES[pauses], RATE_BY_NAME[rate].pause_scale
    return chosen.clause_seconds * scale, chosen.sentence_seconds * scale


def _squash(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch not in " -_")


def choose_voice(voices, language: str, driver: str):
    """The best of pyttsx3 `voices` for `language` ("cmn" or "yue") under `driver`, or None.

    A driver not in the table is searched as espeak would be.
    """
    voice = VOICE_BY_CODE.get(language)
    if voice is None:
        return None
    preferences = voice.engine_preferences
    for token in preferences.get(driver, preferences["espeak"]):
        for candidate in voices:
            candidate_id = str(candidate.id).lower()
            tail = candidate_id.replace("\\", "/").rsplit("/", 1)[-1]
            languages = [_squash(str(tag)) for tag in (candidate.languages or [])]
            named = len(token) > 3 and _squash(token) in _squash(str(candidate.name or ""))
            if tail == token or named or _squash(token) in languages:
                return candidate
    return None
