"""Speech as MP3, cached on disk under the hash of what was asked for.

An audio file's key is the sha256 of (engine text, voice, rate, engine version, pauses),
so its URL always means the same speech. Beside `<key>.mp3` lives `<key>.json`, the request
record: written when a key is handed out (in a speech manifest, say) and enough for any
process sharing the directory to make the audio later. Once the MP3 is stored, the record
also says what was stored: its length and the sha256 of its bytes, and for a sentence the
engine's word timing (`timing`: the text the engine read and, for each word, the
millisecond it starts at and its place in that text), so cached audio keeps its timing.

Page audio, for the plain `<audio controls>` player that needs no JavaScript, is a list
of sentences said as one: their own sentence audio joined (reader.speech.joining), each
made through this cache if it is missing, so the player and the plain player share the
work. It is streamed as each sentence is ready and stored under the page's key once whole;
a stream stopped part-way stores nothing (its sentences made so far stay).

Audio not yet made can be streamed (`AudioCache.stream`): a sentence's PCM is encoded to MP3
buffer by buffer as the voice makes it, each piece handed out at once and the whole
stored when done. LAME gives the same bytes however its input is cut up, and `make`
is the same stream read to the end, so the first listener's bytes are the stored ones.

A cache that heals. Files are written whole (reader.speech.cache_files: the first writer
of a key wins), yet disks and people still damage them, so nothing is served on trust:
- a record that is not JSON, has the wrong shape or does not hash to its key is removed,
  with its MP3: the key is unknown (404) until a manifest hands it out and writes it again;
- an MP3 is served only when its size and the sha256 of its bytes are the ones recorded.
  Its frames were walked end to end before that hash was recorded, so a match also says
  the file is whole MP3. Anything else (cut short, empty, overwritten, or stored with no
  record of it) is removed and made again. The check runs on every serve, a stat and a
  hash of the file: 0.03 ms for a sentence, 0.5 ms for two minutes of page audio on the
  machine this was measured on. Remembering which files were checked would save that, but
  a file rewritten within one tick of the file system's clock keeps its size and mtime;
- a directory that refuses to be written (read-only, full, gone) raises CacheUnavailable
  when a key is handed out, and audio that cannot be stored is still given to its
  listener, from memory (`MakingAudio.finish`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from reader.speech import cache_files
from reader.speech.joining import Part, joined_mp3, pauses_between
from reader.speech.mp3 import encoder as mp3_encoder
from reader.speech.mp3 import mp3_frames
from reader.speech.pronunciation import engine_text, spoken_spans
from reader.speech.voices import DEFAULT_PAUSES, RATES

try:
    import fcntl
except ImportError:  # Windows: processes sharing a directory may each make a key once
    fcntl = None

JOINED_FORMAT = "joined-1"  # how sentences said as one are made; in their keys
STALE_TEMP_SECONDS = 60.0  # a temporary audio file untouched this long was left by a crash

Spoken = str | Sequence[str]  # one utterance, or sentences joined into one file

logger = logging.getLogger(__name__)


class UnknownAudio(KeyError):
    """No good request record exists for a key, so its audio cannot be made."""


class CacheUnavailable(OSError):
    """The cache directory refused a read or a write: read-only, full, or not a folder."""


@dataclass(frozen=True)
class StoredAudio:
    """An MP3 in the cache whose size and sha256 are the ones its record holds."""

    path: Path
    size: int
    sha256: str


def audio_key(
    spoken: Spoken, voice: str, rate: str, engine: str, pauses: str = DEFAULT_PAUSES
) -> str:
    """The sha256 hex digest naming the audio of `spoken` in `voice` at `rate` by `engine`
    with `pauses`.

    It hashes the text the engine is given (reader.speech.pronunciation), so audio made
    before a reading changed is never served for the new one.
    """
    said = [spoken] if isinstance(spoken, str) else list(spoken)
    told = [engine_text(sentence, voice, engine) for sentence in said]
    # a retuned rate gets new audio, not stale files
    speed = f"{rate}/{RATES.get(rate, {}).get(voice, '')}"
    asked = [told[0], voice, speed, engine, pauses]
    if not isinstance(spoken, str):  # sentences said as one: their audio joined
        asked = [told, voice, speed, engine, pauses, JOINED_FORMAT]
    payload = json.dumps(asked, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def is_audio_key(key: str) -> bool:
    return len(key) == 64 and all(ch in "0123456789abcdef" for ch in key)


class AudioCache:
    """MP3s of spoken text in a directory, made on demand by a `Synthesiser`.

    Layout: `<directory>/<key[:2]>/<key>.mp3` and `<key>.json` (the request record).
    Safe to share between threads and between processes using the same directory.
    """

    def __init__(self, directory: str | os.PathLike, synthesiser) -> None:
        self.directory = Path(directory)
        self.synthesiser = synthesiser
        # one lock per bucket of keys, so two threads never make the same audio at once
        self._locks = [threading.Lock() for _ in range(64)]

    def key(self, spoken: Spoken, voice: str, rate: str, pauses: str = DEFAULT_PAUSES) -> str:
        """The key for `spoken` in `voice` at `rate` with `pauses` on this machine's engine
        (NoVoice if none)."""
        return audio_key(spoken, voice, rate, self.synthesiser.engine_version(voice), pauses)

    def path(self, key: str) -> Path:
        """Where the MP3 for `key` is, or will be."""
        return self.directory / key[:2] / f"{key}.mp3"

    def record_path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def request(self, spoken: Spoken, voice: str, rate: str, pauses: str = DEFAULT_PAUSES) -> str:
        """The key for this audio, with its request record written so that any process can
        make it later (e.g. when its URL is first fetched). Synthesises nothing.

        A damaged record is written again. Raises CacheUnavailable when it cannot be.
        """
        engine = self.synthesiser.engine_version(voice)
        key = audio_key(spoken, voice, rate, engine, pauses)
        try:
            if self._record(key) is None:
                record = {
                    "spoken": spoken if isinstance(spoken, str) else list(spoken),
                    "voice": voice,
                    "rate": rate,
                    "engine": engine,
                    "pauses": pauses,
                }
                cache_files.write_once(self.record_path(key), cache_files.record_bytes(record))
        except OSError as exc:
            raise CacheUnavailable(f"audio {key}: request record not written: {exc}") from exc
        return key

    def get_or_make(
        self, spoken: Spoken, voice: str, rate: str, pauses: str = DEFAULT_PAUSES
    ) -> Path:
        """The MP3 of `spoken`, synthesised and stored first if need be.

        A list of sentences gives one MP3 of them all, their own audio joined.
        """
        return self.make(self.request(spoken, voice, rate, pauses))

    def timing(self, key: str) -> dict | None:
        """The stored audio's word timing ({"text", "words"}; see the module), None when
        the audio is not stored or its engine told none. Synthesises nothing."""
        if self.stored(key) is None:
            return None
        return self._read(key).get("timing")

    def make(self, key: str) -> Path:
        """The MP3 for `key`, synthesised from its request record if not yet made.

        Raises UnknownAudio for a key with no good record, CacheUnavailable when the
        audio was made but could not be stored.
        """
        made = self.stream(key)
        if isinstance(made, MakingAudio):
            with contextlib.closing(made):
                made = made.finish()
        if isinstance(made, bytes):
            raise CacheUnavailable(f"audio {key} made but not stored")
        return made.path

    def stored(self, key: str) -> StoredAudio | None:
        """The MP3 for `key` if it is stored whole, None if not (yet): synthesises nothing.

        Raises UnknownAudio for a key with no good record, CacheUnavailable when the
        directory cannot be read.
        """
        try:
            return self._checked(key, self._read(key))
        except OSError as exc:
            raise CacheUnavailable(f"audio {key}: {exc}") from exc

    def stream(self, key: str) -> StoredAudio | MakingAudio:
        """The MP3 file for `key` if it is stored whole; if not, its bytes as they are encoded.

        A stored file that does not match its record is removed first. The stream is
        returned once the voice has started, so that no voice, a full queue or a timeout
        raises here (UnknownAudio for a key with no good record). A sentence's stream holds
        the key's locks, in this process and (where there is fcntl) in others sharing the
        directory, until it is read to the end or closed; closing it early still stores
        the file. Sentences said as one are joined instead (`_join`).
        """
        stored = self.stored(key)
        if stored is not None:
            return stored
        try:
            record = self._read(key)
        except OSError as exc:
            raise CacheUnavailable(f"audio {key}: {exc}") from exc
        if not isinstance(record["spoken"], str):
            return self._join(key, record)
        lock = self._lock_for(key)
        lock.acquire()
        releases = [lock.release]
        try:
            try:
                record_file = open(self.record_path(key), "rb")  # noqa: SIM115 - closed below
                releases.append(record_file.close)
                if fcntl is not None:  # another process making the key first: wait, then use it
                    fcntl.flock(record_file.fileno(), fcntl.LOCK_EX)
                record = self._read(key)  # by name: the one we opened may have been replaced
                stored = self._checked(key, record)
                if stored is not None:
                    return stored
                if self.path(key).exists():
                    logger.warning("audio %s: stored file is not the one recorded; made again", key)
                    cache_files.discard(self.path(key))
            except FileNotFoundError:
                raise UnknownAudio(key) from None
            except OSError as exc:
                raise CacheUnavailable(f"audio {key}: {exc}") from exc
            utterance = self.synthesiser.speak(
                record["spoken"], record["voice"], record["rate"], record["pauses"]
            )
            making = MakingAudio(self._encode(key, record, utterance), releases)
            releases = []
            return making
        finally:
            for release in reversed(releases):
                release()

    def _encode(self, key: str, record: dict, utterance) -> Generator[bytes, None, StoredAudio | bytes]:
        """MP3 bytes of the utterance as they come; then stored.

        Returns what `MakingAudio.finish` gives: the stored file, or the bytes if they
        could not be stored.
        """
        mp3 = bytearray()
        lame = mp3_encoder(utterance.sample_rate, utterance.channels)
        with utterance:
            for pcm in utterance:
                piece = bytes(lame.encode(pcm))
                if piece:
                    mp3 += piece
                    yield piece
        piece = bytes(lame.flush())
        mp3 += piece
        made = bytes(mp3)
        if utterance.words:
            record = {**record, "timing": _timing(utterance, record["spoken"], record["voice"])}
        stored = self._store(key, record, made)  # before the last piece, so that a listener
        if piece:  # who has every byte finds the file
            yield piece
        return stored or made

    def _join(self, key: str, record: dict) -> MakingAudio:
        """The sentences of `record` said as one: each sentence's own audio (stored, or made
        and stored now), with the reader's pause between them (joining.pauses_between),
        streamed as each is ready and written beside the key's place as it goes.

        The first sentence is asked for before this returns, so that no voice raises
        here as for a sentence. No lock is held on the page's key: two listeners of one
        page each join its sentences, which are made once; the first to finish stores it.
        """
        voice, rate, pauses = record["voice"], record["rate"], record["pauses"]
        said = [sentence for sentence in record["spoken"] if sentence.strip()]
        if not said:
            raise ValueError("nothing to say")
        if self.path(key).exists():  # not the recorded file (see `stream`)
            logger.warning("audio %s: stored file is not the one recorded; made again", key)
            cache_files.discard(self.path(key))
        first = self.stream(self.request(said[0], voice, rate, pauses))

        def sentences() -> Iterator[Part]:
            gaps = pauses_between(said, pauses, rate)
            for n, (gap, sentence) in enumerate(zip(gaps, said, strict=True)):
                # each record written when it is needed: a plain player's first fetch of a
                # page (no manifest has written them) waits for one, not for them all
                made = self.stream(self.request(sentence, voice, rate, pauses)) if n else first
                yield gap, made.path if isinstance(made, StoredAudio) else made

        making = MakingAudio(
            self._kept(key, record, joined_mp3(sentences())), [], finish_when_closed=False
        )
        if isinstance(first, MakingAudio):
            making.on_release(first.close)  # if never read, the sentence is made anyway
        return making

    def _kept(
        self, key: str, record: dict, pieces: Generator[bytes, None, None]
    ) -> Generator[bytes, None, StoredAudio | bytes | None]:
        """`pieces` handed on as they come and written down as they go; once all have come,
        stored under `key` and recorded. Closed before the end, nothing is stored.

        Returns the stored file; the bytes, held only when no file could be begun; or
        None when the file was lost on the way (see MakingAudio.finish).
        """
        try:
            pending = cache_files.PendingFile(self.path(key))
        except OSError as exc:
            logger.warning("audio %s will not be stored: %s", key, exc)
            pending = None
        held = bytearray() if pending is None else None
        digest, size = hashlib.sha256(), 0
        try:
            for piece in pieces:
                digest.update(piece)
                size += len(piece)
                if held is not None:
                    held += piece
                elif pending is not None:
                    try:
                        pending.write(piece)
                    except OSError as exc:
                        logger.warning("audio %s not stored: %s", key, exc)
                        pending.drop()
                        pending = None
                yield piece
            if pending is None:
                return bytes(held) if held is not None else None
            facts = {"bytes": size, "sha256": digest.hexdigest()}
            try:
                if not pending.link():  # another listener's, whole: it records its own
                    return self.stored(key)
            except OSError as exc:
                logger.warning("audio %s not stored: %s", key, exc)
                return None
            try:
                recorded = cache_files.record_bytes({**record, "mp3": facts})
                cache_files.replace(self.record_path(key), recorded)
            except OSError as exc:
                logger.warning("audio %s not stored: %s", key, exc)
                cache_files.discard(self.path(key))
                return None
            return StoredAudio(self.path(key), size, facts["sha256"])
        finally:
            pieces.close()  # a cut stream: the sentence being made is finished, no more begun
            if pending is not None:
                pending.drop()

    def _read(self, key: str) -> dict:
        """The key's request record; UnknownAudio if there is none or it was damaged."""
        record = self._record(key)
        if record is None:
            raise UnknownAudio(key)
        return record

    def _record(self, key: str) -> dict | None:
        """The key's request record, None if there is none; a damaged one is removed, with
        the MP3 it would have vouched for."""
        path = self.record_path(key)
        try:
            with open(path, "rb") as record_file:
                data, inode = record_file.read(), os.fstat(record_file.fileno()).st_ino
        except FileNotFoundError:
            return None
        record = cache_files.parse_record(data)
        if record is None or key != audio_key(
            record["spoken"], record["voice"], record["rate"], record["engine"], record["pauses"]
        ):
            logger.warning("audio %s: damaged request record removed", key)
            cache_files.discard(path, inode)
            cache_files.discard(self.path(key))
            return None
        return record

    def _checked(self, key: str, record: dict) -> StoredAudio | None:
        """The stored MP3 if its size and hash are those of `record`, else None."""
        facts, path = record.get("mp3"), self.path(key)
        try:
            if facts is None or path.stat().st_size != facts["bytes"]:
                return None
            with open(path, "rb") as mp3:
                digest = hashlib.file_digest(mp3, "sha256").hexdigest()
        except FileNotFoundError:
            return None
        return StoredAudio(path, facts["bytes"], digest) if digest == facts["sha256"] else None

    def _store(self, key: str, record: dict, mp3: bytes) -> StoredAudio | None:
        """Store `mp3` for `key` and record its size and hash; None when it cannot be."""
        if not mp3 or sum(length for _, length, _, _ in mp3_frames(mp3)) != len(mp3):
            logger.warning("audio %s: the encoder gave %d bytes that are not whole MP3", key, len(mp3))
            return None
        path, digest, linked = self.path(key), hashlib.sha256(mp3).hexdigest(), False
        try:
            linked = cache_files.write_once(path, mp3)
            if not linked:  # another process's file (no fcntl): it records its own
                return None
            facts = {"bytes": len(mp3), "sha256": digest}
            cache_files.replace(self.record_path(key), cache_files.record_bytes({**record, "mp3": facts}))
        except OSError as exc:
            logger.warning("audio %s not stored: %s", key, exc)
            if linked:
                cache_files.discard(path)
            return None
        return StoredAudio(path, len(mp3), digest)

    def _lock_for(self, key: str) -> threading.Lock:
        return self._locks[int(key[:2], 16) % len(self._locks)]


def _timing(utterance, spoken: str, voice: str) -> dict:
    """The utterance's word timing as the record keeps it: for each word the millisecond
    it starts at and its place in the spoken form (the engine reported its place in the
    engine's text, which may be romanised: see pronunciation.spoken_spans)."""
    per_ms = 1000 / utterance.sample_rate
    spans = spoken_spans(spoken, utterance.text, voice)
    words = []
    for word in utterance.words:
        placed = [span for span in spans[word.start : word.start + max(word.length, 1)] if span]
        if placed:
            start, end = placed[0][0], max(e for _, e in placed)
            words.append([round(word.sample * per_ms), start, end - start])
    return {"text": spoken, "words": words}


class MakingAudio:
    """MP3 bytes of audio being made, each piece as soon as it is encoded (see
    AudioCache.stream). Closing a sentence's before the end makes and stores the rest
    anyway, so the work is never lost; closing joined sentences' (`finish_when_closed`
    False) stops there and stores nothing, the sentences made so far kept. Either way
    the key's locks are released once."""

    def __init__(
        self,
        pieces: Generator[bytes, None, StoredAudio | bytes | None],
        releases: list[Callable[[], None]],
        finish_when_closed: bool = True,
    ) -> None:
        self._pieces = pieces
        self._releases = releases
        self._finish_when_closed = finish_when_closed
        self._made: StoredAudio | bytes | None = None

    def __iter__(self) -> MakingAudio:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._pieces)
        except StopIteration as end:
            if self._made is None:
                self._made = end.value
            self._release()
            raise
        except BaseException:  # making failed: nothing stored
            self._release()
            raise

    def on_release(self, release: Callable[[], None]) -> None:
        """Call `release` too, once, when the stream ends or is closed."""
        self._releases.insert(0, release)  # the last released: run in reverse

    def finish(self) -> StoredAudio | bytes:
        """Made to the end: the stored file, or all the bytes when they could not be stored.

        Raises CacheUnavailable for joined audio whose file was lost on the way.
        """
        for _ in self:
            pass
        if self._made is None:
            raise CacheUnavailable("audio made but neither stored nor kept")
        return self._made

    def close(self) -> None:
        try:
            if self._finish_when_closed:
                for _ in self:
                    pass
            else:
                self._pieces.close()
        finally:
            self._release()

    def _release(self) -> None:
        releases, self._releases = self._releases, []
        for release in reversed(releases):
            release()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


def remove_stale_temp_files(directory: str | os.PathLike) -> list[Path]:
    """Remove the temporary files (cache_files.TEMP_PREFIX) a crash left in the cache's
    buckets; return them.

    Another process sharing the directory (`reader synthesise`, a second server) may be
    writing one right now, so only files untouched for STALE_TEMP_SECONDS go.
    """
    removed = []
    now = time.time()
    for path in Path(directory).glob(f"??/{cache_files.TEMP_PREFIX}*"):
        with contextlib.suppress(FileNotFoundError):
            if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                path.unlink()
                removed.append(path)
    return removed
