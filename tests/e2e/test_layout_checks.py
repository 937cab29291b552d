"""The browser journey's layout checks can fail: a label lifted over the heading before it, and a list that scrolls
sideways on a phone, are found; the same page laid out in the flow is not."""
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
