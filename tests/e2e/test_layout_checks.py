"""The browser journey's layout checks can fail: a label lifted over the heading before it, and a list that scrolls
sideways on a phone, are found; the same page laid out in the flow is not."""
from codesign.paths import PACKAGE_DIR
from tests.e2e.browser import OVERLAP_JS, STACKED_JS

COVERED = """<h2 style="margin:0">Risorse</h2>
<label for="x" style="display:block;position:relative;top:-20px">Budget totale</label><input id="x">
<details><summary>Altro</summary><label for="y">Nascosto</label><input id="y"></details>"""

IN_FLOW = """<h2 style="margin:0 0 8px">Risorse</h2><label for="x" style="display:block">Budget totale</label>
<input id="x" style="display:block"><label>Con la casella <input type="checkbox"></label>"""

WIDE = """<style>table{min-width:50rem}</style>
<table class="table-stack"><caption>Spese</caption><tr><td>1</td></tr></table>"""


def test_the_overlap_and_sideways_checks_find_what_they_look_for(chromium):
    page = chromium.new_page(viewport={"width": 375, "height": 700})
    try:
        page.set_content(COVERED)
        found = page.evaluate(OVERLAP_JS)
        assert found == ["h2 «Risorse» / label «Budget totale»"], found  # the closed <details> is not looked at
        page.set_content(IN_FLOW)
        assert page.evaluate(OVERLAP_JS) == []
        page.set_content(WIDE)
        assert page.evaluate(STACKED_JS) == ["Spese"]
    finally:
        page.close()


COUNTED = """<label for="t">Testo</label><textarea id="t" data-max="10"></textarea>
<small id="t-count" data-max="10" data-within="{n} caratteri su 10"
       data-over="{n} caratteri: il massimo è 10, togline {extra}">Al massimo 10 caratteri.</small>
<span id="t-count-live" aria-live="polite"></span>"""


def test_the_count_of_a_long_text_follows_the_typing(chromium):
    page = chromium.new_page()
    try:
        page.set_content(COUNTED)
        page.add_script_tag(path=str(PACKAGE_DIR / "static" / "js" / "char-count.js"))
        count, live = page.locator("#t-count"), page.locator("#t-count-live")
        assert count.inner_text() == "0 caratteri su 10" and live.inner_text() == ""
        page.locator("#t").fill("abcde")
        assert count.inner_text() == "5 caratteri su 10" and live.inner_text() == ""  # far from the limit: silent
        page.locator("#t").fill("abcdefghi")
        assert live.inner_text() == "9 caratteri su 10"  # near it: heard once
        page.locator("#t").fill("abcdefghijkl")
        assert count.inner_text() == "12 caratteri: il massimo è 10, togline 2" and "text-danger" in count.get_attribute("class")
        assert page.locator("#t").input_value() == "abcdefghijkl"  # never cut
    finally:
        page.close()
