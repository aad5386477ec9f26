"""Soak: reading pages under load while one client abuses speech, against a quiet baseline.

Starts `reader serve` (waitress, the production server) on loopback with its own instance
folder, then runs wrk (Debian's `wrk`) twice over every reading page of content/, each run
SECONDS long at CONNECTIONS connections: first alone (the baseline), then while an abusive
client asks, from 8 connections at once, for every sentence's audio in every voice and rate
(audio that is not cached yet, so each request would start synthesis). Prints requests,
errors and latency percentiles of both runs, the p99 ratio, and what the abuser was given.

Zero errors is the bar: no socket error, no non-2xx answer on a reading page.

Run: .venv/bin/python bench/soak.py [--seconds 60] [--connections 64]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reader import pipeline

REPO = Path(__file__).resolve().parents[1]
READER = Path(sys.executable).with_name("reader")
ABUSER_CONNECTIONS = 8
LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    (workdir / "instance").mkdir()
    # The abuser is on loopback, which a kiosk may exempt from the speech limit: not here.
    (workdir / "instance" / "config.py").write_text("SPEECH_LIMIT_EXEMPT = ()\n", encoding="utf-8")
    server = subprocess.Popen(
        [str(READER), "serve", "--port", str(port), "--content", str(REPO / "content")],
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/", timeout=5).read()
            return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the reader did not start")


def reading_pages() -> list[str]:
    return [
        f"/r/{report.slug}/{page.n}"
        for path in pipeline.content_files(REPO / "content")
        for report in [pipeline.read_report(path)]
        for page in report.pages
    ]


def wrk(base: str, paths: list[str], seconds: int, connections: int, workdir: Path) -> dict:
    script = workdir / "pages.lua"
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths), encoding="utf-8")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base],
        check=True, capture_output=True, text=True,
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": requests,
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
        "p50": milliseconds(percentiles["50"]),
        "p99": milliseconds(percentiles["99"]),
    }


def milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def audio_urls(base: str, paths: list[str]) -> list[str]:
    urls = []
    for path in paths:
        for voice in ("cmn", "yue"):
            for rate in ("slow", "normal", "fast"):
                query = f"{base}{path}/speech.json?voice={voice}&rate={rate}"
                manifest = json.load(urllib.request.urlopen(query, timeout=30))
                urls += [base + s["audio"] for s in manifest["sentences"] if s["audio"]]
    return urls


def abuse(urls: list[str], stop: threading.Event) -> collections.Counter:
    given: collections.Counter = collections.Counter()

    def fetch(url: str) -> None:
        if stop.is_set():
            return
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                response.read()
                given[response.status] += 1
        except urllib.error.HTTPError as error:
            given[error.code] += 1
        except OSError:
            given["connection error"] += 1

    with ThreadPoolExecutor(ABUSER_CONNECTIONS) as pool:
        list(pool.map(fetch, urls))
    return given


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk: apt-get install wrk")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        server, base = start_server(workdir)
        try:
            paths = reading_pages()
            quiet = wrk(base, paths, args.seconds, args.connections, workdir)
            urls = audio_urls(base, paths)
            stop = threading.Event()
            given: collections.Counter = collections.Counter()
            abuser = threading.Thread(target=lambda: given.update(abuse(urls, stop)))
            abuser.start()
            loaded = wrk(base, paths, args.seconds, args.connections, workdir)
            stop.set()
            abuser.join()
        finally:
            server.terminate()
            server.wait(30)
    for name, run in (("quiet (baseline)", quiet), ("speech abused", loaded)):
        print(f"{name:18s} {run['requests']:7d} requests, {run['errors']} errors, "
              f"p50 {run['p50']:.1f} ms, p99 {run['p99']:.1f} ms")
    print(f"p99 under abuse / quiet p99 = {loaded['p99'] / quiet['p99']:.1f}x")
    print(f"the abuser asked for {sum(given.values())} of {len(urls)} uncached audio files: "
          + ", ".join(f"{status}: {count}" for status, count in sorted(given.items(), key=str)))
    if quiet["errors"] or loaded["errors"]:
        raise SystemExit("reading pages had errors")


if __name__ == "__main__":
    main()
