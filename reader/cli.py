"""The `reader` command: serve, extract, check (and more as the reader grows)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from reader import pipeline
from reader.report import ReportError

DEFAULT_CONTENT = Path("content")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """易读 Reader: accessible local-government reports."""


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--page-chars", default=600, show_default=True, help="Characters per page.")
def extract(path: Path, as_json: bool, page_chars: int) -> None:
    """One file through the pipeline; exit 2 with one line on stderr if it is not a report."""
    try:
        report = pipeline.read_report(path, page_chars)
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
def check(directory: Path) -> None:
    """Every file in DIRECTORY: a line each, a summary; exit 1 if any failed."""
    if not directory.is_dir():
        click.echo(f"{directory}: not a directory", err=True)
        sys.exit(2)
    failed = warned = 0
    files = pipeline.content_files(directory)
    for path in files:
        try:
            report = pipeline.read_report(path)
        except (ReportError, OSError) as exc:
            failed += 1
            click.echo(f"FAIL {_one_line(exc, path)}")
            continue
        warned += bool(report.warnings)
        click.echo(_summary_line(report))
        for warning in report.warnings:
            click.echo(f"     warning: {warning}")
    click.echo(f"{len(files)} files: {len(files) - failed} read, {failed} failed, {warned} with warnings")
    if failed or not files:
        sys.exit(1)


def _summary_line(report) -> str:
    title_note = {"meta": " [title from meta.toml]", "text": " [title from text]"}.get(
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
