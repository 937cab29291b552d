"""State diagrams and the state-machine page, generated from the machines' tables."""
from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import render_template, render_template_string

from codesign.core import diagram
from codesign.core.workflow import Transition, Workflow
from codesign.docs_cli import state_machines_doc, state_machines_markdown, write_state_machines_doc
from codesign.procedures.workflow import workflow as procedure_wf
from codesign.proposals.workflow import workflow as proposal_wf
from tests.helpers import call_body, future

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
MACHINES = [procedure_wf, proposal_wf]


def parse(text: str) -> ET.Element:
    root = ET.fromstring(text)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    return root


def texts(el: ET.Element) -> list[str]:
    return [t.text or "" for t in el.iter(f"{SVG}text")]


def state_groups(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-state"): g for g in root.iter(f"{SVG}g") if g.get("data-state")}


def toy(table=None, states=None) -> Workflow:
    states = states or {"a": "primo", "b": "secondo", "c": "terzo", "d": "quarto", "e": "isolato"}
    who = frozenset({"admin"})
    table = table if table is not None else [
        Transition("go", ("a",), "b", who), Transition("on", ("b",), "c", who), Transition("jump", ("a",), "c", who),
        Transition("back", ("c",), "b", who), Transition("stay", ("c",), "c", who),
        Transition("end", ("b", "c"), "d", who), Transition("join", ("e",), "a", who),
    ]
    return Workflow("prova", "toy", states, table, lambda user, row: set(), initial="a")


# --- the SVG -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("wf", MACHINES, ids=lambda w: w.entity_type)
def test_svg_is_wellformed_accessible_and_complete(wf):
    root = parse(diagram.svg(wf))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text.startswith("Diagramma degli stati")
    assert desc is not None and "Stati:" in desc.text and "Transizioni:" in desc.text
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    assert set(root.get("aria-labelledby").split()) == {title.get("id"), desc.get("id")} <= ids
    all_text = texts(root)
    for code, label in wf.states.items():
        assert label in all_text and f"({code})" not in all_text, code  # words, never the internal code
        assert f"«{label}»" in desc.text  # the states in words, too
    labels = {part for t in all_text for part in t.split(" / ")}
    for t in wf.table:
        assert t.label in labels and t.trigger not in labels, t.trigger  # each arrow named by its move's label
        assert f"«{t.label}» porta da" in desc.text
    assert set(state_groups(root)) == set(wf.states)
    assert "current" not in " ".join(g.get("class", "") for g in root.iter(f"{SVG}g"))
    assert "stato attuale" not in " ".join(all_text)


@pytest.mark.parametrize("wf", MACHINES, ids=lambda w: w.entity_type)
def test_every_state_can_be_the_highlighted_one(wf):
    for current in wf.states:
        root = parse(diagram.svg(wf, current))
        groups = state_groups(root)
        marked = [code for code, g in groups.items() if "current" in g.get("class", "").split()]
        assert marked == [current]
        box = groups[current].find(f"{SVG}rect")
        other = next(g for code, g in groups.items() if code != current).find(f"{SVG}rect")
        assert float(box.get("stroke-width")) >= 2 * float(other.get("stroke-width"))  # thicker border
        assert box.get("fill") != other.get("fill")
        assert any("stato attuale" in t for t in texts(groups[current]))  # in words, not by colour alone
        assert f"Stato attuale: «{wf.states[current]}»" in root.find(f"{SVG}desc").text
        assert root.get("data-current-state") == current


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_colours_have_sufficient_contrast():
    assert _contrast(diagram.CURRENT_TEXT, diagram.CURRENT_FILL) >= 4.5
    assert _contrast(diagram.INK, "#ffffff") >= 4.5 and _contrast(diagram.MUTED, "#ffffff") >= 4.5
    assert _contrast(diagram.LINE, "#ffffff") >= 3  # graphical objects (WCAG 1.4.11)


@pytest.mark.parametrize("wf", MACHINES + [toy()], ids=lambda w: w.entity_type)
def test_state_boxes_do_not_overlap(wf):
    root = parse(diagram.svg(wf, next(iter(wf.states))))
    boxes = []
    for code, g in state_groups(root).items():
        r = g.find(f"{SVG}rect")
        boxes.append((code, float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height"))))
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    for code, x, y, w, h in boxes:
        assert 0 <= x and x + w <= width and 0 <= y and y + h <= height, code
    for (a, ax, ay, aw, ah), (b, bx, by, bw, bh) in itertools.combinations(boxes, 2):
        assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)


def test_layers_follow_the_longest_path_and_put_unreachable_states_last():
    wf = toy()
    assert diagram.layers(wf) == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}
    root = parse(diagram.svg(wf, "c"))
    ys = {code: float(g.find(f"{SVG}rect").get("y")) for code, g in state_groups(root).items()}
    assert ys["a"] < ys["b"] < ys["c"] < ys["d"] < ys["e"]
    edges = {g.get("data-triggers") for g in root.iter(f"{SVG}g") if g.get("data-triggers")}
    assert edges == {"go", "on", "jump", "back", "stay", "end", "join"}
    assert diagram.layers(procedure_wf)["draft"] == 0 and diagram.layers(proposal_wf)["draft"] == 0


def test_transitions_sharing_source_and_destination_share_one_arrow():
    who = frozenset({"admin"})
    wf = toy([Transition("x", ("a",), "b", who, label="Avanti"), Transition("y", ("a",), "b", who)],
             {"a": "uno", "b": "due"})
    root = parse(diagram.svg(wf))
    assert "Avanti / y" in texts(root)  # a move without a label falls back to its trigger


def test_a_move_from_many_states_is_one_arrow_from_a_box_naming_them():
    root = parse(diagram.svg(procedure_wf, "evaluation"))
    arrows = [g for g in root.iter(f"{SVG}g") if "cancel" in (g.get("data-triggers") or "").split()]
    assert len(arrows) == 1 and arrows[0].get("data-source") == "@cancel" and arrows[0].get("data-dest") == "cancelled"
    assert "Revoca in autotutela" in texts(arrows[0])
    group = next(g for g in root.iter(f"{SVG}g") if g.get("data-group") == "@cancel")
    cancel = next(t for t in procedure_wf.table if t.trigger == "cancel")
    assert group.get("data-sources").split() == list(cancel.sources)
    assert texts(group) == ["da ogni stato tra «bozza» e «convenzionamento»"]
    assert arrows[0].find(f"{SVG}path").get("stroke") == diagram.NEXT_LINE  # "evaluation" is one of them
    assert diagram.layers(procedure_wf)["@cancel"] > diagram.layers(procedure_wf)["agreements"]
    # two states are drawn as two arrows; states not a run of the table's order are named one by one
    who = frozenset({"admin"})
    wf = toy([Transition("go", ("a",), "b", who), Transition("on", ("b",), "c", who),
              Transition("stop", ("a", "c", "d"), "e", who, label="Ferma")],
             {"a": "uno", "b": "due", "c": "tre", "d": "quattro", "e": "fine"})
    group = next(g for g in parse(diagram.svg(wf)).iter(f"{SVG}g") if g.get("data-group") == "@stop")
    assert texts(group) == ["da: uno, tre, quattro"]


def test_ids_differ_between_diagrams_and_unknown_states_are_ignored():
    a, b = diagram.svg(proposal_wf, "draft"), diagram.svg(proposal_wf, "submitted")
    ids = lambda s: {el.get("id") for el in parse(s).iter() if el.get("id")}  # noqa: E731
    assert not ids(a) & ids(b)
    assert ids(diagram.svg(procedure_wf, id_prefix="mio")) >= {"mio-title", "mio-desc"}
    assert diagram.svg(procedure_wf, "nonexistent") == diagram.svg(procedure_wf)


def test_text_is_escaped():
    wf = toy([Transition("go", ("a",), "b", frozenset({"admin"}))], {"a": "<uno> & \"due\"", "b": "tre"})
    root = parse(diagram.svg(wf, "a"))
    assert "<uno> & \"due\"" in texts(root)


# --- Markdown and the generated page -------------------------------------------------------------------------------
@pytest.mark.parametrize("wf", MACHINES, ids=lambda w: w.entity_type)
def test_markdown_has_the_mermaid_block_and_every_transition(wf):
    md = diagram.markdown(wf)
    assert "```mermaid\n" + wf.mermaid() + "\n```" in md
    rows = [line for line in md.splitlines() if line.startswith("| `") and " | `" in line]
    for t in wf.table:
        row = next(r for r in rows if r.startswith(f"| `{t.trigger}`") and f"`{t.dest}`" in r)
        for s in t.sources:
            assert f"`{s}`" in row
        for who in t.who:
            assert f"`{who}`" in row
        for g in t.guards:
            assert f"`{g.__name__}`" in row
        for p in t.needs:
            assert f"`{p}`" in row


def test_guard_docstrings_first_line_is_shown():
    def guard_with_doc(ctx):
        """The call must be open.

        More words that are not shown."""

    wf = toy([Transition("go", ("a",), "b", frozenset({"admin"}), (guard_with_doc,), needs=("reason",))],
             {"a": "uno", "b": "due"})
    md = diagram.markdown(wf)
    assert "`guard_with_doc`: The call must be open." in md and "More words" not in md
    assert "| `reason` |" in md


def test_committed_state_machines_page_is_what_the_generator_writes_now():
    committed = (ROOT / "docs/state-machines.md").read_text(encoding="utf-8")
    assert committed == state_machines_markdown(), (
        "docs/state-machines.md is out of date: run `codesign docs state-machines` from the repository root")


def test_generated_page_names_its_command_and_covers_both_machines():
    page = state_machines_markdown()
    assert page.startswith("<!-- Generated file") and "`codesign docs state-machines`" in page.splitlines()[0]
    assert page.count("```mermaid") >= 2
    assert "## The procedure machine" in page and "## The proposal machine" in page


def test_write_and_the_click_command(tmp_path):
    target = write_state_machines_doc(tmp_path / "nested" / "sm.md")
    assert target.read_text(encoding="utf-8") == state_machines_markdown()
    runner = CliRunner()
    out = tmp_path / "cli.md"
    result = runner.invoke(state_machines_doc, ["--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == state_machines_markdown()
    assert runner.invoke(state_machines_doc, ["--output", str(out), "--check"]).exit_code == 0
    out.write_text("stale", encoding="utf-8")
    assert runner.invoke(state_machines_doc, ["--output", str(out), "--check"]).exit_code == 1


# --- the template partial ------------------------------------------------------------------------------------------
def test_diagram_partial_renders_the_procedure_and_the_proposal_machine(app, client, make_user, token_for):
    from codesign.db import db
    from codesign.procedures.models import Procedure

    diagram.init_app(app)
    diagram.init_app(app)  # idempotent
    admin = make_user("admin", org="Comune di Milano")
    r = client.post("/api/v1/procedures", json=call_body(future()), headers=token_for(admin))
    assert r.status_code == 201
    proc = db.session.get(Procedure, r.json["id"])
    with app.test_request_context("/"):
        html = render_template("procedures/_diagram.html", proc=proc)
        assert html.count("<figure") == 2 and html.count("<figcaption") == 2
        assert 'data-workflow="procedure" data-current-state="draft"' in html
        assert 'data-workflow="proposal"' in html
        assert "Stato attuale:" in html and "bozza" in html
        assert html.count('role="img"') == 2
        ids = [el.get("id") for svg_text in html.split("<svg")[1:]
               for el in ET.fromstring("<svg" + svg_text.split("</svg>")[0] + "</svg>").iter() if el.get("id")]
        assert len(ids) == len(set(ids))
        svg = render_template_string("{{ diagram_svg('proposal', 'submitted') }}")  # autoescaped: Markup
        assert svg.startswith("<svg") and svg.count('class="state current"') == 1 and "▶ stato attuale" in svg
        assert diagram.diagram_state_label(proc) == "bozza"
