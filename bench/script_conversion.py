"""OpenCC s2hk over every report in content/: the C++ binding against the pure-Python one.

The reader converts report text and interface strings to 繁體 with
`opencc-python-reimplemented` (the baseline). The C++ binding on PyPI (`opencc`) would be
the better-kept dependency if it gave the same text faster. This prints, for each library,
the time to load the s2hk tables and convert one word (some load lazily) and the best of REPEATS conversions of all of content/,
the ratio of the binding's time to the baseline's, and every place the texts differ.

Both libraries install as the top-level package `opencc`, so each runs in its own
`python -I` process (no script directory, no user site) with its own path first. The
baseline is the one in this environment; the binding is installed with pip into
OPENCC_DIR the first time (so the first run needs PyPI).

Run: .venv/bin/python bench/script_conversion.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
OPENCC_VERSION = "1.4.2"
OPENCC_DIR = Path(tempfile.gettempdir()) / f"yidu-bench-opencc-{OPENCC_VERSION}"
REPEATS = 10
CONTEXT_CHARS = 8


def convert_all(library_dir: str) -> dict:
    """In a child process: load s2hk from `library_dir` (or the environment) and time it."""
    if library_dir:
        sys.path.insert(0, library_dir)
    import opencc

    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(CONTENT.glob("*.txt"))}
    start = time.perf_counter()
    converter = opencc.OpenCC("s2hk")
    converter.convert("简体")
    load_seconds = time.perf_counter() - start
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        converted = {name: converter.convert(text) for name, text in texts.items()}
        best = min(best, time.perf_counter() - start)
    return {
        "module": opencc.__file__,
        "chars": sum(map(len, texts.values())),
        "load_seconds": load_seconds,
        "convert_seconds": best,
        "texts": converted,
    }


def run_child(library_dir: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-I", __file__, "--child", library_dir],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(completed.stdout)


def install_binding() -> None:
    if (OPENCC_DIR / "opencc").is_dir():
        return
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(OPENCC_DIR),
         f"opencc=={OPENCC_VERSION}"],
        check=True,
    )


def differences(baseline: dict[str, str], other: dict[str, str]) -> list[str]:
    """One line per differing character, with a little text either side from each."""
    lines = []
    for name, expected in baseline.items():
        got = other[name]
        if len(got) != len(expected):
            lines.append(f"{name}: length {len(got)} against {len(expected)}")
            continue
        for index, (a, b) in enumerate(zip(expected, got, strict=True)):
            if a != b:
                span = slice(max(0, index - CONTEXT_CHARS), index + CONTEXT_CHARS)
                lines.append(f"{name}@{index}: {expected[span]!r} (baseline) vs {got[span]!r}")
    return lines


def main() -> None:
    install_binding()
    baseline = run_child("")
    binding = run_child(str(OPENCC_DIR))
    print(f"content/: {baseline['chars']:,} characters, best of {REPEATS} conversions")
    for label, result in (("pure Python (baseline)", baseline), ("C++ binding", binding)):
        print(
            f"  {label:24} load {result['load_seconds'] * 1000:7.1f} ms   "
            f"convert {result['convert_seconds'] * 1000:7.1f} ms   {result['module']}"
        )
    print(
        f"  ratio binding/baseline: load {binding['load_seconds'] / baseline['load_seconds']:.2f}"
        f", convert {binding['convert_seconds'] / baseline['convert_seconds']:.3f}"
    )
    diff = differences(baseline["texts"], binding["texts"])
    print(f"identical text: {'yes' if not diff else f'no, {len(diff)} differences'}")
    for line in diff:
        print("  " + line)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        json.dump(convert_all(sys.argv[2]), sys.stdout, ensure_ascii=False)
    else:
        main()
