"""The `reader` command: serve, extract, check (and more as the reader grows)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from reader import config, glossary, pipeline
from reader.paginate import DEFAULT_PAGE_CHARS
from reader.report import ReportError
from reader.speech.spoken import spoken_form
from reader.speech.voices import DEFAULT_RATE, DEFAULT_VOICE, RATES, VOICES

# gunicorn forks worker processes, which only a Unix has; waitress runs anywhere
SERVERS = ("gunicorn", "waitress") if sys.platform != "win32" else ("waitress",)
DEFAULT_SERVER = "gunicorn" if sys.platform.startswith("linux") else "waitress"
DEFAULT_CONTENT = Path(config.DEFAULTS["CONTENT_DIR"])
CONTENT_HELP = "Directory of reports  [default: CONTENT_DIR of the instance's config.py, or content]"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """易读 Reader: accessible local-government reports."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--content", "content_dir", type=click.Path(path_type=Path, file_okay=False), help=CONTENT_HELP,
)
@click.option("--kiosk", is_flag=True, help="Kiosk mode: one visit at a time, 长者模式 by default, no way off the site.")
@click.option(
    "--idle", type=click.IntRange(min=1), metavar="SECONDS",
    help="On a kiosk, quiet seconds before it asks 还在阅读吗？  [default: KIOSK_IDLE_SECONDS, 90]",
)
@click.option(
    "--server", type=click.Choice(SERVERS), default=DEFAULT_SERVER, show_default=True,
    help="WSGI server: gunicorn (Linux, a process a core) or waitress (anywhere, one process).",
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=None,
    help="gunicorn's worker processes  [default: one a CPU core]",
)
@click.option("--threads", default=8, show_default=True, help="Threads (in each gunicorn worker).")
def serve(
    host: str, port: int, content_dir: Path | None, kiosk: bool, idle: int | None, server: str,
    workers: int | None, threads: int,
) -> None:  # fmt: skip
    """Serve the reports with a production WSGI server (gunicorn on Linux, else waitress).

    SIGTERM or Ctrl-C stops it gracefully: no new connections, the pages and audio being
    sent finish within SHUTDOWN_GRACE_SECONDS, then it exits 0.
    """
    from reader import serving

    settings = _config(CONTENT_DIR=content_dir, KIOSK=kiosk or None, KIOSK_IDLE_SECONDS=idle)

    def announce(url: str) -> None:
        click.echo(f"易读 Reader is serving {settings['CONTENT_DIR']} at {url} ({server})", err=True)

    try:
        if server == "gunicorn":
            from reader import serving_gunicorn

            serving.configure_logs(settings["ACCESS_LOG"], settings["ERROR_LOG"])
            serving_gunicorn.serve(
                settings, host, port, threads, workers or serving_gunicorn.default_workers(), announce
            )
        else:
            serving.serve(settings, host, port, threads, announce)
    except serving.ServeError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--page-chars", default=DEFAULT_PAGE_CHARS, show_default=True, help="Characters per page.")
def extract(path: Path, as_json: bool, page_chars: int) -> None:
    """One file through the pipeline; exit 2 with one line on stderr if it is not a report."""
    try:
        report = pipeline.read_report(
            path, page_chars, _config_int("MAX_SOURCE_BYTES"), _config_int("MAX_HTML_ELEMENTS")
        )
    except (ReportError, OSError) as exc:
        click.echo(_one_line(exc, path), err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(_summary_line(report))


@main.command()
@click.argument(
    "directory", required=False, default=DEFAULT_CONTENT, type=click.Path(path_type=Path)
)
@click.option(
    "--polyphones", is_flag=True,
    help="Also list each report's words with more than one reading that no lexicon covers.",
)
def check(directory: Path, polyphones: bool) -> None:
    """Every file in DIRECTORY: a line each, a summary; exit 1 if any failed."""
    if not directory.is_dir():
        click.echo(f"{directory}: not a directory", err=True)
        sys.exit(2)
    failed = warned = 0
    read = []
    max_source_bytes = _config_int("MAX_SOURCE_BYTES")
    max_html_elements = _config_int("MAX_HTML_ELEMENTS")
    scan = pipeline.settled_content(directory)
    for skipped in scan.skipped:
        click.echo(f"SKIP {skipped}")
    files = scan.files
    for path in files:
        try:
            report = pipeline.read_report(
                path, max_source_bytes=max_source_bytes, max_html_elements=max_html_elements
            )
        except (ReportError, OSError) as exc:
            failed += 1
            click.echo(f"FAIL {_one_line(exc, path)}")
            continue
        warned += bool(report.warnings)
        click.echo(_summary_line(report))
        for warning in report.warnings:
            click.echo(f"     warning: {warning}")
        if polyphones:
            _print_polyphones(report)
        read.append(report)
    failed += not _check_glossary(directory, read)
    skipped = f", {len(scan.skipped)} skipped" if scan.skipped else ""
    click.echo(
        f"{len(files)} files: {len(files) - failed} read, {failed} failed, {warned} with warnings{skipped}"
    )
    if failed or not files:
        sys.exit(1)


def _check_glossary(directory: Path, reports: list) -> bool:
    """The glossary's one line (FAIL naming the file and term when it does not load), then
    each quoted or coined word the reports use that it does not explain; False on FAIL."""
    path = glossary.glossary_path(directory)
    if not path.exists():
        return True
    try:
        terms = glossary.load(path)
    except (glossary.GlossaryError, OSError) as exc:
        click.echo(f"FAIL {_one_line(exc, path)}")
        return False
    texts = ((r.slug, s) for r in reports for b in r.blocks for s in b.sentences)
    missing = terms.missing_terms(texts)
    click.echo(f"GLOSSARY {path}: {len(terms.terms)} terms, {len(missing)} words the reports use not in it")
    for word, where in missing.items():
        click.echo(f"     not in the glossary: {word} ({len(where)}x, {', '.join(dict.fromkeys(where))})")
    return True


def _print_polyphones(report) -> None:
    """The report's uncovered polyphonic words, most frequent first, as pypinyin reads them."""
    from collections import Counter

    from reader.speech.pronunciation import uncovered_polyphones

    counts: Counter[str] = Counter()
    said: dict[str, list[str]] = {}
    for block in report.blocks:
        for sentence in block.sentences:
            found = uncovered_polyphones(spoken_form(sentence, "cmn"))
            counts.update(found.keys())
            said.update(found)
    for word, count in counts.most_common():
        click.echo(f"     polyphone: {word} {' '.join(said[word])} ({count}x)")


def _config(**overrides) -> dict:
    """reader.config with the options given on the command line; exit 2 on a bad config.py
    or a content folder that is not there."""
    try:
        settings = config.load({k: v for k, v in overrides.items() if v is not None})
    except config.ConfigError as exc:
        click.echo(str(exc).splitlines()[0], err=True)
        sys.exit(2)
    if not Path(settings["CONTENT_DIR"]).is_dir():
        click.echo(f"{settings['CONTENT_DIR']}: not a directory", err=True)
        sys.exit(2)
    return settings


def _config_int(name: str) -> int:
    """A limit (MAX_SOURCE_BYTES…) of the instance's config.py, or its default; exit 2 on a
    bad config.py."""
    try:
        return int(config.load()[name])
    except config.ConfigError as exc:
        click.echo(str(exc).splitlines()[0], err=True)
        sys.exit(2)


def _summary_line(report) -> str:
    title_note = {
        "meta": " [title from meta.toml]", "text": " [title from text]", "name": " [title from file name]"
    }.get(
        report.title_from, ""
    )
    return (
        f"ok   {report.slug}  {report.title}{title_note}  {report.date or 'no date'}  "
        f"{len(report.pages)} pages  {len(report.warnings)} warnings"
    )


def _one_line(exc: Exception, path: Path) -> str:
    message = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    if isinstance(exc, OSError):
        message = f"{path}: {exc.strerror or message}"
    return message


@main.command()
@click.argument("text")
@click.option("--voice", type=click.Choice(VOICES), default=DEFAULT_VOICE, show_default=True)
@click.option("--rate", type=click.Choice(tuple(RATES)), default=DEFAULT_RATE, show_default=True)
@click.option("--normalise-only", is_flag=True, help="Print the spoken form and stop.")
@click.option(
    "--pronunciation", is_flag=True,
    help="Print each word with its pinyin or Jyutping, as the voice's lexicon reads it, and stop.",
)
@click.option(
    "--engine-text", is_flag=True, help="Print exactly the text the voice engine is given, and stop."
)
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), help="Write an MP3 instead of playing."
)
def speak(
    text: str, voice: str, rate: str, normalise_only: bool, pronunciation: bool,
    engine_text: bool, out: Path | None,
) -> None:
    """Say TEXT through paplay or aplay, or write it to --out as MP3."""
    import shutil
    import subprocess
    import tempfile

    from reader.speech.errors import SynthesisError
    from reader.speech.mp3 import encode_mp3
    from reader.speech.synthesiser import Synthesiser, wav_duration

    spoken = spoken_form(text, voice)
    if normalise_only:
        click.echo(spoken)
        return
    if pronunciation:
        from reader.speech.pronunciation import readings

        for reading in readings(spoken, voice):
            if reading.syllables:
                click.echo(f"{reading.word}\t{' '.join(reading.syllables)}")
        return
    if engine_text:
        _print_engine_text(spoken, voice)
        return
    player = None if out else next(filter(None, map(shutil.which, ("paplay", "aplay"))), None)
    if out is None and player is None:
        click.echo("no audio player (paplay or aplay) found; use --out F.mp3", err=True)
        sys.exit(2)
    with Synthesiser() as synthesiser:
        try:
            wav = synthesiser.synthesise(spoken, voice, rate)
        except (SynthesisError, ValueError) as exc:
            click.echo(f"cannot speak: {exc}", err=True)
            sys.exit(1)
    if out is not None:
        out.write_bytes(encode_mp3(wav))
        click.echo(f"{out}: {wav_duration(wav):.1f} s of {voice} at {rate} speed")
        return
    with tempfile.NamedTemporaryFile(suffix=".wav") as sound:
        sound.write(wav)
        sound.flush()
        subprocess.run([player, sound.name], check=False)


def _print_engine_text(spoken: str, voice: str) -> None:
    """What this machine's engine voice for `voice` is given; exit 1 when it has none."""
    from reader.speech.errors import SynthesisError
    from reader.speech.pronunciation import engine_text
    from reader.speech.synthesiser import Synthesiser

    with Synthesiser(workers=1) as synthesiser:
        try:
            engine = synthesiser.engine_version(voice)
        except SynthesisError as exc:
            click.echo(f"cannot speak: {exc}", err=True)
            sys.exit(1)
    click.echo(engine_text(spoken, voice, engine))


@main.command()
@click.option(
    "--content", "content_dir", type=click.Path(path_type=Path, file_okay=False), help=CONTENT_HELP,
)
@click.option(
    "--audio-dir", type=click.Path(path_type=Path, file_okay=False),
    help="Audio cache (default: AUDIO_DIR, the web app's).",
)
@click.option(
    "--rate", "rates", multiple=True, type=click.Choice(tuple(RATES)),
    help="Rate to make (repeatable; default: every rate).",
)
@click.option("--workers", default=2, show_default=True, help="Voice worker processes.")
@click.option(
    "--reports", "whole_reports", is_flag=True,
    help="Also make each report's whole MP3 (下载音频), per voice and rate.",
)
def synthesise(
    content_dir: Path | None, audio_dir: Path | None, rates: tuple[str, ...], workers: int,
    whole_reports: bool,
) -> None:
    """Make the audio of every sentence of every report, in both voices, ahead of time.

    With --reports, then put each report's sentences together into the MP3 that its
    cover's 下载音频 offers, so no listener waits for it to be prepared.
    """
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from reader.speech.audio import AudioCache, CacheUnavailable
    from reader.speech.errors import SynthesisError
    from reader.speech.synthesiser import Synthesiser

    settings = _config(CONTENT_DIR=content_dir, AUDIO_DIR=audio_dir)
    content_dir, audio_dir = Path(settings["CONTENT_DIR"]), Path(settings["AUDIO_DIR"])
    sentences: dict[str, None] = {}
    reports = []
    for path in pipeline.content_files(content_dir):
        try:  # read as the server reads it, so that its audio is the audio the server asks for
            report = pipeline.read_report(
                path, settings["PAGE_CHARS"], settings["MAX_SOURCE_BYTES"],
                settings["MAX_HTML_ELEMENTS"],
            )  # fmt: skip
        except (ReportError, OSError) as exc:
            click.echo(f"skipped {_one_line(exc, path)}", err=True)
            continue
        reports.append(report)
        for block in report.blocks:
            sentences.update(dict.fromkeys(s for s in block.sentences if s.strip()))
    jobs = [
        (spoken_form(sentence, voice), voice, rate)
        for sentence in sentences
        for voice in VOICES
        for rate in rates or tuple(RATES)
    ]
    failed = 0
    with Synthesiser(workers=workers) as synthesiser:
        cache = AudioCache(audio_dir, synthesiser)
        with ThreadPoolExecutor(workers) as pool:
            futures = [pool.submit(cache.get_or_make, *job) for job in jobs]
            with click.progressbar(
                as_completed(futures), length=len(futures), label="synthesising", file=sys.stderr
            ) as bar:
                for future in bar:
                    try:
                        future.result()
                    except CacheUnavailable as exc:  # every other job would fail alike
                        click.echo(f"\ncannot store audio in {audio_dir}: {exc}", err=True)
                        for waiting in futures:
                            waiting.cancel()
                        sys.exit(2)
                    except (SynthesisError, ValueError) as exc:
                        failed += 1
                        if failed <= 5:
                            click.echo(f"\nfailed: {exc}", err=True)
        made = synthesiser.utterances
        click.echo(
            f"{len(sentences)} sentences, {len(jobs)} audio files in {audio_dir}: "
            f"{made} synthesised, {len(jobs) - made - failed} already cached, {failed} failed"
        )
        if whole_reports:
            failed += _make_report_audio(cache, reports, rates or tuple(RATES))
    if failed:
        sys.exit(1)


def _make_report_audio(cache, reports: list, rates: tuple[str, ...]) -> int:
    """Each report's whole MP3 in every voice at `rates`, from the sentences just made;
    says how many and returns how many failed."""
    from reader.speech import report_audio
    from reader.speech.audio import CacheUnavailable
    from reader.speech.errors import SynthesisError

    store = report_audio.ReportAudioStore(cache.directory)
    made = ready = failed = 0
    for report in reports:
        for voice in VOICES:
            for rate in rates:
                try:  # plan raises NoVoice for a voice this machine lacks
                    audio = report_audio.plan(cache, report, list(report.pages), voice, rate)
                    ready += store.stored(audio.key) is not None
                    stored = store.make(audio, cache)
                except (
                    report_audio.MissingSentences, SynthesisError, CacheUnavailable, ValueError
                ) as exc:
                    failed += 1
                    click.echo(f"report {report.slug} ({voice}, {rate}) not made: {exc}", err=True)
                    continue
                made += 1
                click.echo(f"{stored.path}  {stored.seconds / 60:.1f} min  {report.slug} ({voice}, {rate})")
    click.echo(
        f"{made + failed} report MP3s: {made - ready} made, {ready} already made, {failed} failed"
    )
    return failed


@main.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--base-path", default="/", show_default=True,
    help="The path the export is served under, e.g. /yidu/.",
)
@click.option(
    "--voice", "voices", multiple=True, type=click.Choice(VOICES),
    help=f"Voice to export audio in (repeatable; default: {DEFAULT_VOICE}).",
)
@click.option(
    "--rate", "rates", multiple=True, type=click.Choice(tuple(RATES)),
    help=f"Rate to export audio at (repeatable; default: {DEFAULT_RATE}).",
)
@click.option(
    "--content", "content_dir", type=click.Path(path_type=Path, file_okay=False), help=CONTENT_HELP,
)
@click.option("--no-audio", is_flag=True, help="No audio: the browser's own voice reads.")
@click.option("--workers", default=2, show_default=True, help="Voice worker processes.")
def build(
    out: Path, base_path: str, voices: tuple[str, ...], rates: tuple[str, ...],
    content_dir: Path | None, no_audio: bool, workers: int,
) -> None:
    """Export every page, the assets, the audio and a search index as static files in OUT."""
    import time

    from reader import export

    settings = _config(CONTENT_DIR=content_dir, SPEECH_WORKERS=workers)

    def progress(items, length: int, label: str):
        return click.progressbar(items, length=length, label=label, file=sys.stderr)

    started = time.monotonic()
    try:
        result = export.build(
            out, settings, base_path, voices or (DEFAULT_VOICE,), rates or (DEFAULT_RATE,),
            audio=not no_audio, progress=progress,
        )
    except export.ExportError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    index = ", ".join(f"{kind} {size / 1024:.0f} KiB" for kind, size in result.search_bytes.items())
    click.echo(
        f"{out}: {result.pages} pages, {result.manifests} speech manifests, "
        f"{result.audio_files} sentence audio files ({result.synthesised} synthesised), "
        f"{result.page_audio} page audio files, search index: {index}; "
        f"{time.monotonic() - started:.1f} s"
    )
