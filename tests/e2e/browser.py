"""The browser side of the end-to-end tests: Debian's Chromium driven by Playwright, axe-core on every page.

`Browser.page_for(role)` opens a browser context of its own for each person in the journey; every page
they reach goes through `Visitor.check()`, which runs axe-core (no violation of serious or critical
impact), checks that the page fits a 375-pixel-wide phone screen and, for the key pages, saves
screenshots at desktop and phone width.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# Chromium as the machine's packages install it (Debian: `apt-get install chromium`); never downloaded.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
PASSWORD = "password-1234"  # make_user's default


def labelled(page, label):
    """The field whose label starts with `label` (required fields add a marker after it)."""
    return page.get_by_label(re.compile("^" + re.escape(label)))


def tick(page, label):
    """Tick a checkbox or radio button as a person does: Bootstrap Italia draws it on its label."""
    box = labelled(page, label)
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    assert box.is_checked()


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def action(page, trigger):
    """The button of a machine transition (pages mark each with the trigger it fires)."""
    return page.locator(f"button[data-trigger='{trigger}']")


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CODESIGN_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def unavailable() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (make test installs it with the test extras)"
    if chromium_path() is None:
        return "Chromium is not installed (Debian: apt-get install chromium; CI installs it)"
    if not AXE_JS.exists():
        return "axe-core is not installed (npm ci installs it from package-lock.json)"
    return None


@dataclass
class AxeReport:
    """Every page checked, with every violation axe-core found (all impacts, for the record)."""

    pages: list[dict] = field(default_factory=list)

    def add(self, who: str, url: str, title: str, violations: list[dict]) -> None:
        self.pages.append({"who": who, "url": url, "title": title, "violations": violations})

    def blocking(self) -> list[tuple[dict, dict]]:
        return [(p, v) for p in self.pages for v in p["violations"] if v["impact"] in BLOCKING]

    def summary(self) -> str:
        return "\n".join(f"{p['who']} {re.sub(r'^https?://[^/]+', '', p['url'])}: {v['id']} ({v['impact']}) "
                         f"{v['help']} at {v['nodes']}" for p, v in self.blocking())

    def markdown(self) -> str:
        lines = ["# Accessibility report (axe-core)", "",
                 "Written by the browser journey (`make screenshots`): every page the journey visits, checked "
                 f"with axe-core {axe_version()} against {', '.join(AXE_TAGS)} at desktop width, then checked "
                 "to fit a 375-pixel-wide viewport. Serious and critical violations fail the tests; minor and "
                 "moderate ones would be listed here.", "",
                 "| who | page | title | violations |", "| --- | --- | --- | --- |"]
        for p in self.pages:
            found = ", ".join(f"{v['id']} ({v['impact']})" for v in p["violations"]) or "none"
            path = re.sub(r"^https?://[^/]+", "", p["url"])
            lines.append(f"| {p['who']} | `{path}` | {p['title']} | {found} |")
        return "\n".join(lines) + "\n"


def axe_version() -> str:
    try:
        return json.loads((AXE_JS.parent / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"


class Visitor:
    """One person in one browser context."""

    def __init__(self, journey: "Journey", who: str, page):
        self.journey, self.who, self.page = journey, who, page

    # navigation -------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.journey.base_url + path

    def visit(self, path: str, *, shot: str | None = None):
        response = self.page.goto(self.url(path))
        assert response is not None and response.status < 400, f"{self.who}: GET {path} -> {response and response.status}"
        self.check(shot=shot)
        return self.page

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        page = self.visit("/accedi")
        labelled(page, "Indirizzo e-mail").fill(email)
        labelled(page, "Password").fill(password)
        self.submit(button(page, "Accedi"))

    def submit(self, button, *, shot: str | None = None, expect_error: bool = False):
        """Click a submit button (a locator), wait for the next page, check it."""
        with self.page.expect_navigation():
            button.click()
        if not expect_error:
            problems = [t.strip() for t in self.page.locator(".alert-danger").all_inner_texts()]
            assert not problems, f"{self.who}: {self.page.url}: {problems}"
        self.check(shot=shot)
        return self.page

    def confirm(self, *, shot: str | None = None):
        """On the step that asks before an irreversible move: it says what happens, then confirm."""
        assert self.page.locator("#consequence").count() == 1, f"{self.who}: {self.page.url}: no confirmation step"
        return self.submit(self.page.locator("#confirm-button"), shot=shot)

    # checks -----------------------------------------------------------------------------------
    def check(self, *, shot: str | None = None) -> None:
        page = self.page
        assert page.locator("html").get_attribute("lang") in {"it", "en"}
        assert page.locator("h1").count() >= 1, f"{page.url}: no h1"
        violations = run_axe(page)
        self.journey.report.add(self.who, page.url, page.title(), violations)
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert not blocking or not self.journey.strict, f"{self.who} on {page.url}: axe-core found\n" + json.dumps(blocking, indent=1)
        if shot:
            self.journey.screenshot(page, f"{shot}-desktop")
        overlaps = page.evaluate(OVERLAP_JS)
        assert not overlaps, f"{self.who}: {page.url}: at 1280 pixels, drawn over each other: {overlaps}"
        page.set_viewport_size(PHONE)
        try:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 1, (f"{page.url}: {width}px wide at a 375-pixel viewport; "
                                                 f"too wide: {page.evaluate(WIDEST_JS, PHONE['width'])}")
            overlaps = page.evaluate(OVERLAP_JS)
            assert not overlaps, f"{self.who}: {page.url}: at 375 pixels, drawn over each other: {overlaps}"
            scrolled = page.evaluate(STACKED_JS)
            assert not scrolled, f"{self.who}: {page.url}: lists that scroll sideways on a phone: {scrolled}"
            if shot:
                self.journey.screenshot(page, f"{shot}-phone")
        finally:
            page.set_viewport_size(DESKTOP)

    def text(self) -> str:
        return self.page.locator("main").inner_text()


# The outermost elements that stick out of the viewport (for the failure message).
WIDEST_JS = """(limit) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > limit + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > limit + 1))
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.') + ' ' + Math.round(r.right) + 'px');
  }
  return out.slice(0, 8);
}"""


# What a person reads or types that another of them covers: labels, headings, legends, text boxes and buttons, each
# pair that intersects by more than a few pixels (one inside the other, as a label around its box, is not covering).
OVERLAP_JS = """() => {
  const seen = [];
  const sel = 'label, h1, h2, h3, h4, h5, h6, legend, button, input:not([type=hidden]):not([type=checkbox])' +
              ':not([type=radio]), select, textarea';
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    if (r.width < 4 || r.height < 4 || st.visibility === 'hidden' || st.opacity === '0') continue;
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;  // a closed <details>
    if (el.closest('.visually-hidden, .visually-hidden-focusable, [aria-hidden=true], svg, .leaflet-container')) continue;
    seen.push([el, r]);
  }
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                       ' «' + (el.innerText || el.value || '').trim().slice(0, 30) + '»';
  const out = [];
  for (let i = 0; i < seen.length; i++) {
    for (let j = i + 1; j < seen.length; j++) {
      const [a, ra] = seen[i], [b, rb] = seen[j];
      if (a.contains(b) || b.contains(a)) continue;
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 4 && h > 4) out.push(name(a) + ' / ' + name(b));
    }
  }
  return out.slice(0, 8);
}"""

# The lists made to stack on a phone (table-stack) that still scroll sideways.
STACKED_JS = """() => [...document.querySelectorAll('table.table-stack')]
  .filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(t => (t.caption ? t.caption.innerText : t.className).trim().slice(0, 60))"""


def run_axe(page) -> list[dict]:
    if page.evaluate("typeof window.axe") != "object":
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
             const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
             return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                             nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
           }""", AXE_TAGS)


class Journey:
    """The browser, the server's address, the axe report and where screenshots go."""

    def __init__(self, browser, base_url: str, shots_dir: Path | None):
        self.browser, self.base_url, self.shots_dir = browser, base_url, shots_dir
        self.report = AxeReport()
        # CODESIGN_AXE_SOFT=1: collect every page's violations and fail only at the end (to fix many at once).
        self.strict = not os.environ.get("CODESIGN_AXE_SOFT")
        self.contexts = []

    def person(self, who: str, *, locale: str = "it-IT") -> Visitor:
        context = self.browser.new_context(viewport=DESKTOP, locale=locale, timezone_id="Europe/Rome",
                                           bypass_csp=True)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        return Visitor(self, who, context.new_page())

    def screenshot(self, page, name: str) -> None:
        if self.shots_dir is None:
            return
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.shots_dir / f"{name}.png"), full_page=True, animations="disabled")

    def pdf_image(self, pdf: Path, name: str) -> None:
        """The PDF's first page as a PNG beside the screenshots (poppler's pdftoppm: `apt-get install poppler-utils`)."""
        if self.shots_dir is None:
            return
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            assert not os.environ.get("CODESIGN_SCREENSHOTS"), \
                "make screenshots draws the PDFs' first pages with pdftoppm: apt-get install poppler-utils"
            return
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(self.shots_dir / name)], check=True, timeout=60)

    def write_report(self) -> None:
        if self.shots_dir is not None:
            self.shots_dir.mkdir(parents=True, exist_ok=True)
            (self.shots_dir / "axe-report.md").write_text(self.report.markdown())

    def close(self) -> None:
        for c in self.contexts:
            c.close()
