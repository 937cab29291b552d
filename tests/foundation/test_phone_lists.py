"""The lists that matter on a phone stack into labelled rows under 576 pixels (codesign.css, `table-stack`): every
cell carries its column's name (`data-label`), so a body reads state and next step, a citizen rank, score and outcome,
without the columns scrolled out of sight. The browser journey checks none of them scrolls sideways at 375 pixels."""
import html as html_lib
from html.parser import HTMLParser

from tests.helpers import Scenario, World, to_codesign


class _Tables(HTMLParser):
    """The stacking tables of a page: their column names and, per body row, each cell's data-label."""

    def __init__(self):
        super().__init__()
        self.tables, self.where, self.text, self.cell = [], None, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "table-stack" in (a.get("class") or "").split():
            self.tables.append({"columns": [], "rows": []})
            self.where = "table"
        elif self.where and tag == "thead":
            self.where = "head"
        elif self.where and tag == "tbody":
            self.where = "body"
        elif self.where == "body" and tag == "tr":
            self.tables[-1]["rows"].append([])
        elif self.where == "head" and tag == "th":
            self.text = []
        elif self.where == "body" and tag in ("td", "th") and "colspan" not in a:
            self.tables[-1]["rows"][-1].append(a.get("data-label"))

    def handle_data(self, data):
        if self.where == "head":
            self.text.append(data)

    def handle_endtag(self, tag):
        if self.where == "head" and tag == "th":
            self.tables[-1]["columns"].append(" ".join("".join(self.text).split()))
        elif tag == "thead" and self.where:
            self.where = "table"
        elif tag == "table":
            self.where = None


def stacked(page: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html_lib.unescape(page))
    return parser.tables


def assert_every_cell_is_labelled(page: str) -> None:
    tables = stacked(page)
    assert tables
    for t in tables:
        assert t["rows"]
        for row in t["rows"]:
            labelled = [(c, label) for c, label in zip(t["columns"], row) if label is not None]
            assert [label for _c, label in labelled] == [c for c, _l in labelled]
            assert len(labelled) >= len(t["columns"]) - 1, (t["columns"], row)  # all but a row's buttons


def test_my_proposals_stack_on_a_phone(client, make_user, token_for, login):
    w = World(client, make_user, token_for)
    w.publish()
    w.draft(0)
    login(w.applicants[0])
    page = client.get("/le-mie-proposte").get_data(as_text=True)
    assert_every_cell_is_labelled(page)
    assert stacked(html_lib.unescape(page))[0]["columns"][3:6] == ["Stato", "N. progressivo di ricezione",
                                                                    "Prossimo passo"]


def test_the_public_ranking_stacks_on_a_phone(client, make_user, token_for):
    s = Scenario(client, make_user, token_for)
    to_codesign(s)
    page = client.get(f"/avvisi/{s.pid}/graduatoria").get_data(as_text=True)
    assert_every_cell_is_labelled(page)
    assert stacked(page)[0]["columns"] == ["Posizione", "Proposta", "Ente proponente", "Punteggio", "Esito"]
