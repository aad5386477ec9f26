/* 易读 Reader — progressive enhancement on every page. Every control works as a plain link
   or form without this file; with it, settings change without a reload, shortcuts work,
   and the reading guides follow the pointer. Strings shown to people come from the server
   (data-i18n-* attributes).

   js-enabled goes on <html> first of all. A module runs when a deferred script would
   (after parsing, before DOMContentLoaded), so the class arrives as early as it always
   did, and a browser that cannot run modules never gets the JS-only styles. */

import { startKiosk } from "./kiosk.js";
import { startKioskSay } from "./kiosk-say.js";
import { startKioskSwipe } from "./kiosk-swipe.js";
import { startLineFocus } from "./line-focus.js";
import { startGlossary } from "./glossary.js";
import { startHandoff } from "./handoff.js";
import { startLinkButtons } from "./link-buttons.js";
import { startReadingGuide } from "./reading-guide.js";
import { startSettingsLinks } from "./settings-links.js";
import { startShortcuts } from "./shortcuts.js";
import { startToolbarToggle } from "./toolbar-toggle.js";

document.documentElement.classList.add("js-enabled");

startKiosk(); // first: a new visit clears what an earlier visitor left before anyone reads it
startKioskSay();
startKioskSwipe();
startToolbarToggle();
startSettingsLinks();
startLinkButtons();
startShortcuts();
startReadingGuide();
startLineFocus();
startGlossary();
startHandoff();
