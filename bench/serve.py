"""Throughput of the served pages beside the framework's own ceiling, and reading under a
read-aloud burst - all measured side by side in one run, on loopback, with wrk.

For each server (`reader serve --server gunicorn` and `--server waitress`, the same
threads and workers as `reader serve` uses), the reader's app is started with a trivial
Flask endpoint mounted beside it (`/bench/trivial`: a bare Flask app returning a short
text, served by the same server, processes and threads). wrk then loads, for SECONDS at
CONNECTIONS connections, ROUNDS times each, taking them in turn (medians printed): the
trivial endpoint, a reading page, a cover, the home page and a search; and, for the ceiling of any server,
Debian's nginx serving a saved copy of the reading page (or, with --export DIR, a page of
a static export). Every request asks for gzip, as browsers do.

Then the speech burst: a reading page's p99 idle, and while 50 sentences whose audio is
not made yet and 40 whole-page audio files are asked for at once (a fresh voice and rate
each round, so none is cached; each refused request asks again after its Retry-After,
as the player does, for as long as the page is measured), and their ratio. What the burst's
requests were last answered (200, 503 …) is printed too.

Run: .venv/bin/python bench/serve.py [--seconds 3] [--rounds 3] [--connections 32]
                                     [--servers gunicorn,waitress] [--export DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NGINX = "/usr/sbin/nginx"
SLUG = "zs-xiqu-2023-work-plan"
URLS = {
    "trivial": "/bench/trivial",
    "reading page": f"/r/{SLUG}/2",
    "cover": f"/r/{SLUG}/",
    "home": "/",
    "search": "/search?q=%E5%85%BB%E8%80%81",  # 养老
}
BURST_SENTENCES = 50
BURST_PAGES = 40
BURST_CHOICES = [(v, r) for r in ("slow", "normal", "fast") for v in ("cmn", "yue")]
ACCEPT = "Accept-Encoding: gzip"
RETRY_WAIT = 2.0  # seconds: the Retry-After of a busy voice
NGINX_STATIC = """
daemon off; master_process off; worker_processes 1; pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off; client_body_temp_path {root}/body; proxy_temp_path {root}/proxy;
  fastcgi_temp_path {root}/fcgi; uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
  default_type text/html; gzip on; gzip_types text/html text/css application/javascript;
  server {{ listen 127.0.0.1:{port}; root {site}; index index.html; }}
}}
"""


def bench_app(settings: dict):
    """The reader's app with a bare Flask endpoint mounted beside it (the baseline)."""
    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from reader.web import create_app

    app = create_app(settings)
    trivial = Flask("trivial")
    trivial.add_url_rule("/trivial", "trivial", lambda: "ok")
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/bench": trivial})
    return app


def child(server: str, port: int) -> None:
    """`reader serve` as the command line runs it, with bench_app (run in its own folder)."""
    from reader import config, serving, serving_gunicorn

    settings = config.load({"CONTENT_DIR": str(REPO / "content")})
    serving.configure_logs(settings["ACCESS_LOG"], settings["ERROR_LOG"])
    if server == "gunicorn":
        serving_gunicorn.serve(settings, "127.0.0.1", port, 8, serving_gunicorn.default_workers(),
                               print, app_factory=bench_app)  # fmt: skip
    else:
        serving.serve(settings, "127.0.0.1", port, 8, print, app_factory=bench_app)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(base: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"the server at {base} stopped")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server at {base} did not start")


def start(server: str, workdir: Path, extra_config: str = "") -> tuple[subprocess.Popen, str]:
    (workdir / "instance").mkdir(parents=True)
    (workdir / "instance" / "config.py").write_text(
        "SPEECH_LIMIT_EXEMPT = ('127.0.0.1',)\n"  # the burst is the pool's to bound, not the limit's
        f"{extra_config}\n"
        f"ACCESS_LOG = {str(workdir / 'access.log')!r}\nERROR_LOG = {str(workdir / 'error.log')!r}\n"
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", server, "--port", str(port)],
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_for(base, process)
    return process, base


def wrk(url: str, seconds: float, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", ACCEPT, url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.MULTILINE))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": milliseconds(percentiles["50"]),
        "p99": milliseconds(percentiles["99"]),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def medians(runs: list[dict]) -> dict:
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50": statistics.median(r["p50"] for r in runs),
        "p99": statistics.median(r["p99"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
    }


def loaded(urls: dict[str, str], args) -> dict[str, dict]:
    """Each URL's medians; the rounds take the URLs in turn, so that every one is measured
    under the same background load as its baseline."""
    for url in urls.values():
        urllib.request.urlopen(url, timeout=30).read()  # rendered once before it is timed
    runs: dict[str, list[dict]] = {name: [] for name in urls}
    for _round in range(args.rounds):
        for name, url in urls.items():
            runs[name].append(wrk(url, args.seconds, args.connections))
    return {name: medians(found) for name, found in runs.items()}


def burst_urls(base: str, voice: str, rate: str) -> tuple[list[str], list[str]]:
    """BURST_SENTENCES sentence audio URLs and BURST_PAGES page audio URLs in voice/rate."""
    from reader import pipeline

    pages = [
        f"/r/{report.slug}/{page.n}"
        for path in pipeline.content_files(REPO / "content")
        for report in [pipeline.read_report(path)]
        for page in report.pages
    ]
    sentences: list[str] = []
    for path in pages:
        if len(sentences) >= BURST_SENTENCES:
            break
        query = f"{base}{path}/speech.json?voice={voice}&rate={rate}&pauses=long"
        manifest = json.load(urllib.request.urlopen(query, timeout=30))
        sentences += [base + s["audio"] for s in manifest["sentences"] if s["audio"]]
    page_audio = [f"{base}{p}/audio.mp3?voice={voice}&rate={rate}" for p in pages]
    return sentences[:BURST_SENTENCES], (page_audio * BURST_PAGES)[:BURST_PAGES]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            return str(response.status)
    except urllib.error.HTTPError as error:
        return str(error.code)
    except OSError as error:
        return type(error).__name__


def insist(url: str, stop: threading.Event) -> str:
    """Ask for `url` as the player does, again after each 503's Retry-After, until it is
    made or the measurement is over; the last answer."""
    while True:
        answer = fetch(url)
        if answer not in ("503", "429") or stop.wait(RETRY_WAIT):
            return answer


def speech_burst(base: str, args, rounds: int) -> tuple[list[float], list[float], Counter]:
    """The reading page's p99 idle, then while the burst's requests are in flight (each
    asking again after a refusal, for as long as the page is measured)."""
    page = base + URLS["reading page"]
    idle, busy, answers = [], [], Counter()
    for voice, rate in BURST_CHOICES[:rounds]:
        idle.append(wrk(page, args.seconds, args.connections)["p99"])
        sentences, pages = burst_urls(base, voice, rate)
        stop = threading.Event()
        with ThreadPoolExecutor(len(sentences) + len(pages)) as pool:
            futures = [pool.submit(insist, url, stop) for url in sentences + pages]
            time.sleep(0.2)  # all asked
            busy.append(wrk(page, args.seconds, args.connections)["p99"])
            stop.set()
            answers.update(f.result() for f in futures)
    return idle, busy, answers


def nginx_static(site: Path, args) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        root, port = Path(folder), free_port()
        (root / "nginx.conf").write_text(NGINX_STATIC.format(root=root, port=port, site=site))
        process = subprocess.Popen([NGINX, "-p", str(root), "-c", str(root / "nginx.conf")],
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            return loaded({"static": f"http://127.0.0.1:{port}/"}, args)["static"]
        finally:
            process.terminate()
            process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--servers", default="gunicorn,waitress")
    parser.add_argument("--config", default="", help="lines for the instance's config.py")
    parser.add_argument("--burst-only", action="store_true", help="only the speech burst")
    parser.add_argument("--export", type=Path, help="a `reader build` folder for nginx to serve")
    parser.add_argument("--child")
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.port)
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk: apt-get install wrk")
    print(f"wrk -t2 -c{args.connections}, {args.seconds:g} s a round, medians of {args.rounds} rounds; "
          f"{ACCEPT}")  # fmt: skip
    saved_page = None
    for server in args.servers.split(","):
        with tempfile.TemporaryDirectory() as folder:
            process, base = start(server, Path(folder), args.config.replace(";", "\n"))
            try:
                chosen = {k: v for k, v in URLS.items() if not args.burst_only or k == "trivial"}
                results = loaded({name: base + path for name, path in chosen.items()}, args)
                saved_page = saved_page or urllib.request.urlopen(base + URLS["reading page"]).read()
                idle, busy, answers = speech_burst(base, args, args.rounds)
            finally:
                process.terminate()
                process.wait(60)
        print(f"\n{server}:")
        trivial = results["trivial"]["rps"]
        for name, r in results.items():
            print(f"  {name:13s} {r['rps']:8.0f} req/s  {r['rps'] / trivial:5.2f}x trivial   "
                  f"p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms  errors {r['errors']}")  # fmt: skip
        ratio = statistics.median(busy) / statistics.median(idle)
        print(f"  speech burst ({BURST_SENTENCES} uncached sentences + {BURST_PAGES} page audio): "
              f"reading-page p99 idle {statistics.median(idle):.1f} ms, in the burst "
              f"{statistics.median(busy):.1f} ms = {ratio:.2f}x idle (goal <= 3x); the burst's answers: "
              + ", ".join(f"{k} {v}" for k, v in sorted(answers.items())))  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        site = args.export
        if site is None:
            site = Path(folder)
            (site / "index.html").write_bytes(saved_page)
        static = nginx_static(site, args)
    print(f"\nnginx, a saved copy of the reading page{' (export)' if args.export else ''}: "
          f"{static['rps']:.0f} req/s  p50 {static['p50']:.2f} ms  p99 {static['p99']:.2f} ms  "
          f"errors {static['errors']}")  # fmt: skip


if __name__ == "__main__":
    main()
