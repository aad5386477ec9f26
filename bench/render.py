"""Server time to render a reading page, and the bytes a reading page costs.

Prints p50/p95 over 1,000 renders of /r/<slug>/<n> through the Flask test client, beside
the same client fetching a static asset (the baseline: Flask's own request overhead,
measured in the same run), and the gzip-compressed size of the page with every asset it
loads (budget ≤ 30 KB).

Run: .venv/bin/python bench/render.py
"""

from __future__ import annotations

import gzip
import posixpath
import re
import tempfile
import time
from pathlib import Path

from reader.web import create_app

REPO = Path(__file__).resolve().parents[1]
RENDERS = 1000
PAGE_BUDGET_BYTES = 30 * 1024
IMPORT = re.compile(rb'^import [^;]*?from "(\.{1,2}/[^"]+)"', re.MULTILINE)


def timings(client, urls: list[str]) -> list[float]:
    result = []
    for index in range(RENDERS):
        url = urls[index % len(urls)]
        start = time.perf_counter()
        response = client.get(url)
        result.append(time.perf_counter() - start)
        assert response.status_code == 200, url
    return result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    app = create_app(
        {"CONTENT_DIR": str(REPO / "content"), "INSTANCE_DIR": tempfile.mkdtemp()}
    )
    client = app.test_client()
    slug = "zs-xiqu-2023-work-plan"
    pages = [f"/r/{slug}/{n}" for n in range(1, 8)]
    timings(client, pages[:1])  # warm the template cache
    page_times = timings(client, pages)
    baseline_times = timings(client, ["/static/icons/favicon.svg"])
    p50, p95 = percentile(page_times, 50), percentile(page_times, 95)
    b50 = percentile(baseline_times, 50)
    print(f"reading page render: p50 {p50 * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms "
          f"({RENDERS} renders)")
    print(f"baseline (static file through the same client): p50 {b50 * 1000:.2f} ms; "
          f"page/baseline = {p50 / b50:.1f}x")

    html = client.get(pages[1]).data
    waiting = [a.decode() for a in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)]
    total_raw, total_gzip = len(html), len(gzip.compress(html, 9))
    rows = [("page html", len(html), total_gzip)]
    seen: set[str] = set()
    while waiting:  # the page's assets, and every ES module they import
        asset = waiting.pop()
        if asset in seen:
            continue
        seen.add(asset)
        body = client.get(asset).data
        if asset.endswith(".js"):
            waiting += [posixpath.normpath(posixpath.join(posixpath.dirname(asset), m.decode()))
                        for m in IMPORT.findall(body)]
        compressed = len(gzip.compress(body, 9))
        rows.append((asset, len(body), compressed))
        total_raw += len(body)
        total_gzip += compressed
    rows[1:] = sorted(rows[1:])
    for name, raw, compressed in rows:
        print(f"  {name:40s} {raw:7d} B  gzip {compressed:6d} B")
    verdict = "within" if total_gzip <= PAGE_BUDGET_BYTES else "OVER"
    print(f"reading page with assets: {total_raw} B raw, {total_gzip} B gzip "
          f"({total_gzip / 1024:.1f} KB, {verdict} the 30 KB budget)")


if __name__ == "__main__":
    main()
