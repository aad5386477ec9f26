"""Tools for the browser tests: a WSGI server in a thread, headless Chromium, axe-core, vnu.jar.

Everything here drives the real thing: Debian's Chromium through chromedriver, axe-core and
the Nu HTML Checker from `node_modules/` (installed by `scripts/install`), waitress serving the
app on a free loopback port. Nothing is downloaded at test time.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Debian's Chromium on a closed network stalls at start-up without these.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
)
DEFAULT_WINDOW = (1280, 900)
PHONE = (390, 844)  # CSS px: a common phone held upright

# A phone: an iPhone 12-14's viewport, touch, and the autoplay rule phone browsers keep:
# every newly loaded page needs its own tap before it may play sound. Chromium's
# document-user-activation-required would let a page reached from a tapped page play,
# and so would hide what a phone does.
PHONE_FLAGS = ("--autoplay-policy=user-gesture-required",)

NETWORK_SCHEMES = ("http", "https", "ws", "wss")
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

INSTALL_HINT = "run ./scripts/install (or ./scripts/test) to install it"


# --- what is missing, and whether that may skip ------------------------------------------


def missing_browser_tools() -> list[str]:
    """Name each tool the browser tests need that is not on this machine."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (Debian package chromium)")
    if not CHROMEDRIVER.exists():
        missing.append(f"{CHROMEDRIVER} (Debian package chromium-driver)")
    if not AXE_JS.exists():
        missing.append(f"{AXE_JS.relative_to(REPO)} (npm ci)")
    return missing


def missing_html_checker_tools() -> list[str]:
    """Name each tool `validate_html` needs that is not on this machine."""
    missing = []
    if shutil.which("java") is None:
        missing.append("java (Debian package default-jre-headless)")
    if not VNU_JAR.exists():
        missing.append(f"{VNU_JAR.relative_to(REPO)} (npm ci)")
    return missing


def skip_or_fail_if_missing(missing: list[str]) -> None:
    """Skip with the reason when tools are missing; in CI (CI=true) fail instead, never skip."""
    if not missing:
        return
    reason = f"missing {', '.join(missing)}; {INSTALL_HINT}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests may not skip in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def wait_for(condition, timeout: float = 5.0, message: str = ""):
    """Poll `condition` until it returns something true, and return that; fail on timeout.

    An element swapped out between being found and being read (a page turned in place
    replaces its header) counts as not yet, not as a failure.
    """
    from selenium.common.exceptions import StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except StaleElementReferenceException:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message or condition}")
        time.sleep(0.05)


# --- serving a WSGI app -------------------------------------------------------------------


@contextlib.contextmanager
def serve_wsgi(app, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `app` with waitress on a free port in a daemon thread; yield its base URL.

    The thread runs waitress's loop a turn at a time until told to stop, and the
    connections are closed after it has stopped: closed from outside while the loop was
    waiting on them, a socket gave "Bad file descriptor" in the loop's thread now and
    then, an error the test run counts against whichever test was ending.
    """
    from waitress.server import create_server

    server = create_server(app, host=host, port=0, threads=4, clear_untrusted_proxy_headers=True)
    stopping = threading.Event()

    def run() -> None:
        while not stopping.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)

    thread = threading.Thread(target=run, name=f"waitress-{server.effective_port}")
    thread.daemon = True
    thread.start()
    try:
        yield f"http://{host}:{server.effective_port}"
    finally:
        stopping.set()
        thread.join(timeout=5)
        for channel in list(server._map.values()):
            channel.close()
        server.task_dispatcher.shutdown()


# --- Chromium -----------------------------------------------------------------------------


def start_chromium(
    user_data_dir: Path, window: tuple[int, int] = DEFAULT_WINDOW, flags: tuple[str, ...] = ()
):
    """Start headless Debian Chromium through /usr/bin/chromedriver, with a network log.

    `flags` are added to CHROMIUM_FLAGS (e.g. PHONE_FLAGS).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, *flags):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.add_argument(f"--window-size={window[0]},{window[1]}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # An explicit driver path keeps Selenium Manager from trying to download one.
    service = Service(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    set_window(driver, *window)
    driver.get("about:blank")
    driver.get_log("performance")  # drop what the browser fetched for itself at start-up
    return driver


def set_window(driver, width: int, height: int, *, mobile: bool = False) -> None:
    """Make the viewport exactly `width` × `height` CSS px (what media queries and reflow see).

    Chromium's own emulation of a screen that size, without resizing the headless window:
    a page sees the same viewport, and a survey that switches widths on every page spends
    half the time.
    """
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def set_phone(driver, on: bool = True) -> None:
    """A phone: a 390 × 844 mobile viewport with touch (so `tap` works), or back to the
    default window without touch."""
    if on:
        set_window(driver, *PHONE, mobile=True)
    else:
        set_window(driver, *DEFAULT_WINDOW)
    driver.execute_cdp_cmd(
        "Emulation.setTouchEmulationEnabled", {"enabled": on, "maxTouchPoints": 5 if on else 1}
    )


def tap(driver, element) -> None:
    """A finger's tap on the middle of `element` (scrolled into view first), as touch
    events the browser turns into a click; needs `set_phone`."""
    rect = driver.execute_script(
        "const el = arguments[0]; el.scrollIntoView({block: 'center', behavior: 'instant'});"
        "const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];",
        element,
    )
    point = {"x": rect[0], "y": rect[1]}
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def reset_browser(driver) -> None:
    """Back to a first visit: default window, no cookies or storage, empty network log."""
    set_phone(driver, on=False)
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.get("about:blank")
    driver.get_log("performance")


def set_cookie_settings(driver, base_url: str, **settings) -> dict[str, str]:
    """Choose settings the way a no-JS link does (`/settings?size=5&theme=black-yellow`).

    With `next=path` the browser comes back to that page. Returns the browser's cookies
    afterwards, name → value.
    """
    driver.get(f"{base_url.rstrip('/')}/settings?{urlencode(settings)}")
    return {cookie["name"]: cookie["value"] for cookie in driver.get_cookies()}


# --- requests that leave the origin -------------------------------------------------------


def requested_urls(driver) -> list[str]:
    """Every URL the browser asked for since the last call (this drains the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
        elif message.get("method") == "Network.webSocketCreated":
            urls.append(message["params"]["url"])
    return urls


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def external_requests(driver, base_url: str) -> list[str]:
    """Network URLs requested since the last call that went anywhere but `base_url`'s origin.

    Only http(s) and ws(s) count: data:, blob: and the browser's own chrome:// pages never
    leave the machine.
    """
    home = _origin(base_url)
    return [
        url
        for url in requested_urls(driver)
        if urlsplit(url).scheme in NETWORK_SCHEMES and _origin(url) != home
    ]


def fetch(url: str) -> str:
    """The body of a page exactly as the server sent it (for `validate_html`, which needs the
    doctype and the source, not the browser's `page_source`)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode(response.headers.get_content_charset() or "utf-8")


# --- axe-core -----------------------------------------------------------------------------

# The 7:1 contrast rule (WCAG 1.4.6, AAA), which axe leaves off by default.
ENHANCED_CONTRAST = "color-contrast-enhanced"

# Each finding cut down to what a test reports: the rule, its help and the elements' selectors.
_AXE_RUN = """
const [context, options, done] = arguments;
if (typeof window.axe !== 'object') return done({absent: true});
const findings = list => list.map(rule => ({
  id: rule.id, help: rule.help, nodes: rule.nodes.map(node => ({target: node.target})),
}));
axe.run(context || document, options)
  .then(result => done({violations: findings(result.violations),
                        incomplete: findings(result.incomplete)}))
  .catch(error => done({axeError: String(error)}));
"""


@dataclass(frozen=True)
class AxeResult:
    """What axe-core found on a page.

    `violations` are the rules that failed; `incomplete` the ones axe could not decide
    (e.g. the contrast of text over an image), for the caller to measure itself. Each
    finding is `{"id", "help", "nodes": [{"target": [selector, …]}]}`.
    """

    violations: list[dict]
    incomplete: list[dict]


def run_axe(
    driver,
    tags=WCAG_TAGS,
    *,
    rules=None,
    extra_rules=(),
    disabled: Mapping[str, str] | None = None,
    context: str | None = None,
) -> AxeResult:
    """Run axe-core on the current page, injecting it unless the page already has it.

    `tags` picks rules by tag (WCAG 2.0–2.2 A/AA by default); `extra_rules` adds rules axe
    leaves off by default, such as `ENHANCED_CONTRAST`, to those; `rules`, when given, runs
    exactly those rule ids instead. `disabled` maps a rule id to the reason it is turned off.
    `context` is a CSS selector to limit the check to part of the page.
    """
    if rules:
        options = {"runOnly": {"type": "rule", "values": list(rules)}}
    else:
        options = {"runOnly": {"type": "tag", "values": list(tags)}}
    # Passes and inapplicable rules are not returned, so axe need not gather them.
    options["resultTypes"] = ["violations", "incomplete"]
    switched = {rule: {"enabled": True} for rule in extra_rules}
    switched.update({rule: {"enabled": False} for rule in disabled or {}})
    if switched:
        options["rules"] = switched
    result = driver.execute_async_script(_AXE_RUN, context, options)
    if "absent" in result:
        driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
        result = driver.execute_async_script(_AXE_RUN, context, options)
    if "axeError" in result:
        raise RuntimeError(f"axe-core failed: {result['axeError']}")
    return AxeResult(violations=result["violations"], incomplete=result["incomplete"])


@contextlib.contextmanager
def axe_on_every_page(driver) -> Iterator[None]:
    """Have Chromium put axe-core into every page it opens meanwhile, so `run_axe` need not
    send the script over WebDriver on each visit (what a survey of many pages spends)."""
    added = driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": AXE_JS.read_text(encoding="utf-8")}
    )
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", added)


def describe_violations(violations: list[dict]) -> str:
    """One readable line per failing element, for assertion messages."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']}: {' '.join(node['target'])} — {violation['help']}")
    return "\n".join(lines)


# --- the Nu HTML Checker ------------------------------------------------------------------


def validate_html_many(documents: Mapping[str, str]) -> dict[str, list[str]]:
    """Check many HTML documents in one JVM start; map each name to its error messages."""
    if not documents:
        return {}
    with tempfile.TemporaryDirectory(prefix="yidu-vnu-") as folder:
        names = {}
        for index, (name, html) in enumerate(documents.items()):
            path = Path(folder) / f"{index}.html"
            path.write_text(html, encoding="utf-8")
            names[str(path)] = name
        completed = subprocess.run(
            ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *names],
            capture_output=True,
            text=True,
            timeout=300,
        )
    try:
        messages = json.loads(completed.stderr)["messages"]
    except (json.JSONDecodeError, KeyError) as exc:
        raise RuntimeError(f"vnu.jar gave no JSON report: {completed.stderr[:500]}") from exc
    errors: dict[str, list[str]] = {name: [] for name in documents}
    for message in messages:
        # vnu names each document by URL, file:/tmp/yidu-vnu-…/0.html
        name = names.get(unquote(message.get("url", "").removeprefix("file:")))
        if name is None:
            raise RuntimeError(f"vnu.jar reported something about no document: {message}")
        errors[name].append(f"line {message.get('lastLine', '?')}: {message['message']}")
    return errors


def validate_html(html: str) -> list[str]:
    """The Nu HTML Checker's error messages for one document (empty means valid).

    Give it the HTML the server sent (see `fetch`), not `driver.page_source`.
    """
    return validate_html_many({"document": html})["document"]


# --- the accessibility tree and keyboard focus --------------------------------------------


def ax_tree(driver) -> list[dict]:
    """The accessibility nodes a screen reader is given (CDP AXNode objects), in reading order.

    Chromium's full tree, without ignored nodes, walked from the root: CDP's own list is not
    in reading order.
    """
    driver.execute_cdp_cmd("Accessibility.enable", {})
    try:
        nodes = driver.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    finally:
        driver.execute_cdp_cmd("Accessibility.disable", {})
    by_id = {node["nodeId"]: node for node in nodes}
    ordered, stack = [], [nodes[0]["nodeId"]]
    while stack:
        node = by_id.get(stack.pop())
        if node is None:
            continue
        if not node.get("ignored"):
            ordered.append(node)
        stack.extend(reversed(node.get("childIds", [])))
    return ordered


def ax_outline(nodes: list[dict]) -> list[tuple[str, str]]:
    """(role, accessible name) of each node, e.g. ("heading", "南区街道2022年工作总结")."""
    return [
        (node.get("role", {}).get("value", ""), node.get("name", {}).get("value", ""))
        for node in nodes
    ]


@dataclass(frozen=True)
class FocusStop:
    """One element reached by Tab, with what a sighted keyboard user would see of it."""

    tag: str
    text: str
    href: str | None
    role: str | None
    outline_style: str
    outline_width: str
    outline_color: str
    outline_offset: str
    box_shadow: str
    rect: dict
    in_viewport: bool
    obscured: bool

    @property
    def has_focus_ring(self) -> bool:
        """An outline or a box shadow is drawn (whether it has enough contrast is another test)."""
        outline = self.outline_style not in ("none", "hidden") and self.outline_width != "0px"
        return outline or self.box_shadow != "none"


_FOCUSED = """
const el = document.activeElement;
if (!el || el === document.body) return null;
const style = getComputedStyle(el);
const r = el.getBoundingClientRect();
const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
const inViewport = r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
const top = inViewport ? document.elementFromPoint(cx, cy) : null;
return {
  tag: el.tagName.toLowerCase(),
  text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 80),
  href: el.getAttribute('href'),
  role: el.getAttribute('role'),
  outline_style: style.outlineStyle,
  outline_width: style.outlineWidth,
  outline_color: style.outlineColor,
  outline_offset: style.outlineOffset,
  box_shadow: style.boxShadow,
  rect: {x: r.left, y: r.top, width: r.width, height: r.height},
  in_viewport: inViewport,
  obscured: inViewport && !(top && (top === el || el.contains(top))),
};
"""


def tab_through(driver, n: int) -> list[FocusStop | None]:
    """Press Tab `n` times from wherever focus is; record each element focused.

    Call it right after `driver.get` to start at the top of the page. An entry is None
    when focus left the document's elements (e.g. went back to the browser's chrome).
    """
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    stops = []
    for _ in range(n):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focused = driver.execute_script(_FOCUSED)
        stops.append(FocusStop(**focused) if focused else None)
    return stops
