"""Every module of the web app imports on its own, first, as a gunicorn worker does.

A cycle between the web modules (a view importing a name from a module that imports it
back) passes any test that happens to import them in a working order, and stops every
gunicorn worker at start with "cannot import name … partially initialized module".
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import reader

# The parent imports the modules that never touch reader.web (the slow pipeline among
# them), then forks a child for each of the others, which starts with no web module loaded.
CHILD = """
import importlib, os, sys
preload, fresh = sys.argv[1].split(), sys.argv[2].split()
for name in preload:
    importlib.import_module(name)
failed = 0
for name in fresh:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except Exception as exc:
            print(f"{name}: {exc.__class__.__name__}: {exc}")
            os._exit(1)
        os._exit(0)
    failed += os.waitpid(pid, 0)[1] != 0
sys.exit(1 if failed else 0)
"""


def reader_modules() -> dict[str, bool]:
    """Each module's name, and whether its source names reader.web."""
    found = {}
    for info in pkgutil.walk_packages(reader.__path__, "reader."):
        spec = info.module_finder.find_spec(info.name, None)
        if spec is None or spec.origin is None or info.name.endswith("__main__"):
            continue
        source = Path(spec.origin).read_text(encoding="utf-8")
        found[info.name] = info.name.startswith("reader.web") or "reader.web" in source
    return found


def test_every_web_module_imports_first_on_its_own():
    modules = reader_modules()
    fresh = sorted(name for name, web in modules.items() if web)
    preload = sorted(name for name, web in modules.items() if not web)
    assert {"reader.web.page_cache", "reader.web.kiosk", "reader.outline"} <= set(fresh)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, " ".join(preload), " ".join(fresh)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
