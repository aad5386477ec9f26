"""What 注音 costs a reading page: server time and gzip bytes, against the same page
without ruby measured in the same run.

Renders every page of one report through the Flask test client with `ruby` off, then
拼音 and 粤拼 the first time (every sentence's readings worked out) and again (from the
per-sentence cache), and prints each as a ratio of the page without ruby.

Run: .venv/bin/python bench/ruby.py
"""

from __future__ import annotations

import gzip
import tempfile
import time
from pathlib import Path

from reader.settings import COOKIE_NAME
from reader.web import create_app

REPO = Path(__file__).resolve().parents[1]
SLUG = "zs-xiqu-2023-work-plan"
ROUNDS = 20


def render_all(client, urls: list[str]) -> tuple[float, int]:
    """Seconds to render every URL once, and the gzip bytes of all of them."""
    start, size = time.perf_counter(), 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        size += len(gzip.compress(response.get_data()))
    return time.perf_counter() - start, size


def main() -> None:
    app = create_app({"CONTENT_DIR": str(REPO / "content"), "INSTANCE_DIR": tempfile.mkdtemp()})
    client = app.test_client()
    client.get(f"/r/{SLUG}/")
    urls = [f"/r/{SLUG}/{n}" for n in range(1, 8)]
    render_all(client, urls)  # the library built, the templates compiled
    off = min(render_all(client, urls)[0] for _ in range(ROUNDS))
    _, off_bytes = render_all(client, urls)
    print(f"ruby off: {off * 1000 / len(urls):.2f} ms a page, {off_bytes / len(urls) / 1024:.1f} KB gzip")
    for reading in ("pinyin", "jyutping"):
        client.set_cookie(COOKIE_NAME, f"ruby={reading}")
        first, size = render_all(client, urls)
        warm = min(render_all(client, urls)[0] for _ in range(ROUNDS))
        print(f"{reading}: first render {first / off:.1f}x, cached {warm / off:.1f}x the page "
              f"without ruby; {size / off_bytes:.2f}x its gzip bytes "
              f"({size / len(urls) / 1024:.1f} KB a page)")


if __name__ == "__main__":
    main()
