"""The pages work under their Content-Security-Policy: no violation reported, and the moved scripts still run.

The other browser tests bypass the policy (axe-core is injected into the pages); this one enforces it.
"""
from __future__ import annotations

from tests.e2e.browser import DESKTOP, PASSWORD, button
from tests.helpers import World

LISTEN = """() => { window.__csp = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'))); }"""


def test_pages_under_the_policy(chromium, live_server, client, make_user, token_for):
    world = World(client, make_user, token_for, bodies=1)
    world.publish()
    context = chromium.new_context(viewport=DESKTOP, locale="it-IT")  # the policy enforced
    page = context.new_page()
    violations, errors = [], []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(f"({LISTEN})()")
    try:
        page.goto(live_server + "/")
        # Bootstrap Italia's script found its fonts' path from public-path.js.
        assert page.evaluate("window.__PUBLIC_PATH__") == "/static/bootstrap-italia/fonts"
        page.goto(live_server + "/accedi")
        page.fill("#email", world.applicants[0].email)
        page.fill("#password", "sbagliata-0000")
        with page.expect_navigation():
            button(page, "Accedi").click()
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            button(page, "Accedi").click()
        page.goto(f"{live_server}/avvisi/{world.procedure_id}")
        page.goto(f"{live_server}/avvisi/{world.procedure_id}/proposta")
        page.fill("#requested_amount", "80000,00")
        page.fill("#cofinancing_amount", "12000,00")
        # cofinancing-share.js runs under the policy, with its labels from data-labels.
        page.wait_for_function("() => document.getElementById('cofinancing-share').textContent.includes('13,04')")
        with page.expect_navigation():
            button(page, "Salva la bozza").click()  # refused (no title): focus-problem.js moves the focus
        assert page.evaluate("document.activeElement && document.activeElement.id") in ("problem", "error-summary")
        seen = page.evaluate("window.__csp")
    finally:
        context.close()
    assert violations == [] and seen == [], violations + seen
    assert errors == []
