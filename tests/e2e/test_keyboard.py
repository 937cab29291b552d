"""A body submits a proposal with the keyboard alone: Tab to each control, type, Space and Enter.

Every control is reached in the page's tab order (nothing needs a mouse) and shows where the focus is.
"""
from __future__ import annotations

import re

from tests.e2e.browser import PASSWORD, labelled
from tests.helpers import PDF, World



def tab_to(page, locator, *, limit=120):
    """Press Tab until `locator` has the focus; fail if it never does (unreachable by keyboard)."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", target):
            visible = page.evaluate("""el => {
                const s = getComputedStyle(el);
                const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
                if (ring) return true;
                // Bootstrap Italia draws a checkbox's focus on its label
                const label = el.id && document.querySelector(`label[for="${el.id}"]`);
                if (!label) return false;
                const ls = getComputedStyle(label, '::before');
                return ls.boxShadow !== 'none' || (ls.outlineStyle !== 'none' && parseFloat(ls.outlineWidth) > 0)
                       || getComputedStyle(label).boxShadow !== 'none';
            }""", target)
            assert visible, f"no visible focus on {locator}"
            return
    raise AssertionError(f"{locator} is not reachable with the Tab key")


def choose(page, select, value):
    """Pick an option of a focused <select> with the arrow keys."""
    for _ in range(20):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value!r} not reachable with the arrow keys")


def enter_and_wait(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_submission_with_the_keyboard_alone(journey, client, make_user, token_for, tmp_path):
    world = World(client, make_user, token_for, bodies=1,
                  required_attachments=[{"kind": "progetto", "title": "Proposta progettuale"}])
    world.publish()
    email = world.applicants[0].email
    pdf = tmp_path / "progetto.pdf"
    pdf.write_bytes(PDF)

    person = journey.person("ente-tastiera")
    # Subscribe to file choosers long before one opens (Playwright enables the interception asynchronously).
    person.page.on("filechooser", lambda chooser: chooser.set_files(str(pdf)))
    page = person.visit("/accedi")
    tab_to(page, page.locator("#email"))
    page.keyboard.type(email)
    tab_to(page, page.locator("#password"))
    page.keyboard.type(PASSWORD)
    enter_and_wait(page)

    page = person.visit(f"/avvisi/{world.procedure_id}")
    tab_to(page, page.get_by_role("link", name="Presenta una proposta"))
    enter_and_wait(page)
    person.check()

    tab_to(page, page.locator("#organization_id"))
    choose(page, page.locator("#organization_id"), str(world.orgs[0]))
    tab_to(page, page.locator("#lot"))
    choose(page, page.locator("#lot"), "B")
    for selector, text in (("#title", "Laboratori di quartiere"),
                           ("#summary", "Laboratori aperti nei cortili, con gli inquilini."),
                           ("#requested_amount", "80000,00"),
                           ("#cofinancing_amount", "12000,00")):
        tab_to(page, page.locator(selector))
        page.keyboard.type(text)
    share = page.locator("#cofinancing-share")
    page.wait_for_function("el => el.textContent.includes('13,04')", arg=share.element_handle())
    tab_to(page, page.get_by_role("button", name="Salva la bozza"))
    enter_and_wait(page)
    person.check()
    assert re.search(r"/proposte/\d+$", page.url)

    tab_to(page, page.locator("#kind"))
    choose(page, page.locator("#kind"), "progetto")
    tab_to(page, page.locator("#file"))
    page.keyboard.press("Space")  # opens the file chooser, answered by the handler set up above
    page.wait_for_function("() => document.querySelector('#file').files.length === 1")
    tab_to(page, page.get_by_role("button", name="Carica il documento"))
    enter_and_wait(page)
    person.check()
    assert "progetto.pdf" in person.text()

    for declaration in world.call["declarations"]:
        box = labelled(page, declaration["text"])
        tab_to(page, box)
        page.keyboard.press("Space")
        assert box.is_checked()
    tab_to(page, page.get_by_role("button", name="Invia la proposta"))
    enter_and_wait(page)
    person.check()
    assert "/ricevuta" in page.url
    assert "Numero progressivo di ricezione" in person.text()
