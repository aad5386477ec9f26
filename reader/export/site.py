"""Where each of the app's addresses lives in the static export, and its pages rewritten to match.

A page is rendered by the app itself (reader.export renders it through the test client,
under the base path), then its addresses are made ones that any static server answers:
each page is a folder with an index.html (`/r/<slug>/3` becomes `r/<slug>/3/`), so no
server needs to know that an address without a suffix is HTML; audio and assets keep
their paths; nothing depends on a query string, which a static server ignores.

Two trees of pages: the default one at the base path, and the 长者助手 one under `elder/`,
so a reader without JavaScript has both, and the 长者助手 switch links between them.
Everything else (settings, the player's voice and rate) is kept by
static/js/static-settings.js in local storage. Settings that change the text the server
renders (简繁, 注音, 界面语言), the whole-report downloads and the printout's hand-off QR code
need the app, and are left out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import lxml.etree
import lxml.html

from reader.settings import DEFAULTS, ELDER_PRESET, SETTINGS, Settings

TREES = ("", "elder/")  # the default pages, and the 长者助手 ones
ELDER_TREE = "elder/"
# toolbar groups and form fields whose values change the text the server renders
SERVER_ONLY_SETTINGS = tuple(s.name for s in SETTINGS if s.reloads)
MANIFEST_FILE = "speech/{voice}-{rate}-{pauses}.json"  # beside a page; static-settings fills it

# app path → the page's folder in a tree (a format with the match's groups)
PAGE_ROUTES = (
    (re.compile(r"/"), ""),
    (re.compile(r"/r/([^/]+)/"), "r/{0}/"),
    (re.compile(r"/r/([^/]+)/(\d+|all|outline)"), "r/{0}/{1}/"),
    (re.compile(r"/(help|glossary|search|settings)"), "{0}/"),
)
# app paths served as they are, the same for both trees
SHARED_FILES = re.compile(
    r"/static/.+|/audio/[0-9a-f]{64}\.mp3|/r/[^/]+/(\d+|outline)/audio\.mp3|/glossary/.+/audio\.mp3"
    r"|/r/[^/]+/print\.css"
)
MANIFEST = re.compile(r"/r/([^/]+)/(\d+|outline)/speech\.json")
URL_ATTRIBUTES = ("href", "src", "action", "data-audio", "data-report")


class UnexportedAddress(ValueError):
    """A page links to an address the export has no file for."""


def tree_settings(tree: str) -> Settings:
    """The settings a tree's pages are rendered with."""
    return Settings().updated({"preset": "elder"}) if tree == ELDER_TREE else Settings()


def page_folder(app_path: str) -> str | None:
    """The folder (under a tree) of the page at `app_path`, None if it is not a page."""
    for pattern, folder in PAGE_ROUTES:
        if match := pattern.fullmatch(app_path):
            return folder.format(*match.groups())
    return None


@dataclass(frozen=True)
class Addresses:
    """The export's addresses under `base` (a path ending in /)."""

    base: str

    def app_path(self, url: str, rendered_under: str) -> tuple[str, str, str]:
        """(path in the app, query, fragment) of a URL on a page rendered under
        `rendered_under` (the base, or the base and a tree)."""
        parts = urlsplit(url)
        path = parts.path
        for prefix in (rendered_under, self.base):
            if path.startswith(prefix):
                path = "/" + path[len(prefix):]
                break
        return path, parts.query, parts.fragment

    def page(self, app_path: str, tree: str, fragment: str = "") -> str:
        folder = page_folder(app_path)
        if folder is None:
            raise UnexportedAddress(app_path)
        return self.base + tree + folder + (f"#{fragment}" if fragment else "")

    def shared(self, app_path: str) -> str:
        return self.base + app_path.lstrip("/")

    def static_url(self, url: str, rendered_under: str, tree: str) -> str:
        """Where `url`, found on a page of `tree`, is in the export."""
        if url.startswith(("#", "mailto:", "tel:", "data:")) or urlsplit(url).scheme:
            return url
        path, query, fragment = self.app_path(url, rendered_under)
        if SHARED_FILES.fullmatch(path):
            return self.shared(path)
        if match := MANIFEST.fullmatch(path):
            return self.base + f"r/{match[1]}/{match[2]}/" + MANIFEST_FILE
        if path == "/settings":
            return self.page(path, tree)
        return self.page(path, tree, fragment)


def rewrite_page(
    html: str, app_path: str, tree: str, addresses: Addresses, extra_head: list[dict], audio: bool
) -> str:
    """The app's page at `app_path` of `tree` with the export's addresses, the settings that
    need the app left out, and the scripts the export adds to <head>; without `audio`, no
    address of audio (the browser's own voice reads)."""
    root = lxml.html.document_fromstring(html)
    rendered_under = addresses.base + tree
    here = addresses.page(app_path, tree)
    counterpart = addresses.page(app_path, TREES[1 - TREES.index(tree)])
    left_out = [f"//*[@id='rd-toolbar-{name}']" for name in SERVER_ONLY_SETTINGS]
    left_out += [f"//fieldset[.//input[@name='{name}']]" for name in SERVER_ONLY_SETTINGS]
    left_out.append("//*[contains(concat(' ', @class, ' '), ' rd-downloads ')]")
    # a printout's QR code and address open the page through the app's hand-off, which a
    # static copy has not: the printout keeps its date and source
    left_out.append("//*[@class='rd-printout__code'] | //*[@class='rd-printout__facts']/p[span[@lang='en']]")
    for element in root.xpath(" | ".join(left_out)):
        element.drop_tree()
    if not audio:
        for element in root.xpath("//audio[@src]"):
            del element.attrib["src"]
        for element in root.xpath("//*[@data-audio]"):
            del element.attrib["data-audio"]
    for element in root.xpath("//*[@data-manifest]"):
        element.set("data-manifest", addresses.static_url(element.get("data-manifest"), rendered_under, tree))
        element.set("data-page-suffix", "/")  # a page is its folder: r/<slug>/<n>/
    for element in root.iter(lxml.etree.Element):
        for attribute in URL_ATTRIBUTES:
            if attribute in element.attrib:
                element.set(attribute, _rewritten(
                    element, attribute, here, counterpart, tree, rendered_under, addresses
                ))  # fmt: skip
    # what works only through static-settings.js is hidden until it runs: 无障碍版, 设置
    settings_page = addresses.page("/settings", tree)
    for element in root.xpath("//*[@id='rd-toolbar-switch'] | //li[a[@href=$page]]", page=settings_page):
        if app_path != "/settings":
            element.set("hidden", "")
            element.set("data-needs-script", "")
    for form in root.xpath("//form[@method='post']"):  # the settings form: static-settings.js saves it
        form.set("method", "get")
        form.set("action", here)
        form.set("data-module", "rd-static-settings-form")
        for hidden in form.xpath(".//input[@name='next']"):
            hidden.drop_tree()
    anchor = root.head.find("title")
    for attributes in extra_head:
        script = lxml.html.Element("script", {name: str(value) for name, value in attributes.items()})
        anchor.addnext(script)
        anchor = script
    return lxml.html.tostring(root, doctype="<!doctype html>", encoding="unicode")


def _rewritten(element, attribute, here, counterpart, tree, rendered_under, addresses) -> str:
    url = element.get(attribute)
    if element.get("id") == "rd-elder-switch":
        return counterpart
    path, query, fragment = addresses.app_path(url, rendered_under)
    if path == "/settings" and query:
        asked = dict(parse_qsl(query))
        if element.get("data-module") == "rd-read-all" and "next" in asked:
            return addresses.page(addresses.app_path(asked["next"], rendered_under)[0], tree)  # 朗读全文: page 1; the player reads on
        return addresses.page("/settings", tree)  # the toolbar's links: static-settings.js
    if "toolbar=" in query:  # 无障碍版 opened or closed: static-settings.js does it in place
        return here + (f"#{fragment}" if fragment else "")
    return addresses.static_url(url, rendered_under, tree)


def head_scripts(addresses: Addresses, tree: str, app_path: str) -> list[dict]:
    """The blocking script that applies the reader's settings before the first paint."""
    values = {s.name: getattr(tree_settings(tree), s.name) for s in SETTINGS}
    other_tree = TREES[1 - TREES.index(tree)]
    return [{
        "src": addresses.shared("/static/js/static-settings.js"),
        "data-setting-classes": json.dumps(
            {s.name: dict(s.html_classes) for s in SETTINGS if s.html_classes}, ensure_ascii=False
        ),
        "data-base": json.dumps(values),
        "data-defaults": json.dumps(DEFAULTS),
        "data-elder-preset": json.dumps({k: v for k, v in ELDER_PRESET.items() if k != "elder"}),
        "data-tree": "elder" if tree == ELDER_TREE else "default",
        "data-counterpart": addresses.page(app_path, other_tree),
    }]  # fmt: skip
