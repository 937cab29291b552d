"""State diagrams generated from the machines' tables (never drawn by hand).

`svg(workflow, current_state=None)` lays a `Workflow` out as an accessible inline SVG, in pure
Python (no Graphviz binary): a small layered ("Sugiyama") layout.

1. Layers: the longest path from the initial state along the table's transitions, after dropping
   the edges that close a cycle (back edges of a depth-first walk in table order); states that the
   initial state cannot reach go in one last layer.
2. Every edge is split into a chain of virtual nodes, one per rank it crosses (states sit on even
   ranks, edge labels on the odd rank next to the edge's source), so labels never overlap and
   edges bend around the boxes instead of crossing them.
3. The order inside each rank comes from barycenter sweeps (keeping the order with the fewest
   crossings); x positions from repeated least-squares placement towards the neighbours
   (isotonic regression with minimum gaps), so chains come out nearly straight.

`markdown(workflow)` writes the same machine for the documentation: a Mermaid block and a table
of the transitions with who fires them, the guards and the parameters they need.
`init_app(app)` makes `diagram_svg(row_or_workflow)` available to the templates.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from flask_babel import get_locale, gettext
from markupsafe import Markup

from codesign.core.workflow import Workflow
from codesign.paths import PACKAGE_DIR

# --- look (Bootstrap Italia palette; every text/background pair is at least 4.5:1) ------------------------
FONT = "'Titillium Web', Geneva, Tahoma, sans-serif"
INK = "#17324d"          # text on white: 12.9:1
MUTED = "#455b71"        # secondary text on white: 7.1:1
LINE = "#5d7083"         # box borders and edges
CURRENT_FILL = "#0066cc" # white text on it: 5.6:1
CURRENT_LINE = "#003366"
CURRENT_TEXT = "#ffffff"
NEXT_LINE = "#0066cc"    # transitions leaving the current state

LABEL_SIZE = 13          # state label (bold)
MOVE_SIZE = 11.5         # the moves' labels on the arrows, a group's words
BOX_PAD_X = 14
BOX_MIN_W = 120
BOX_H = 40
BOX_H_CURRENT = 60
GROUP_H = 30
TRIGGER_H = 20           # height of an edge label's box
DUMMY_W = 6
GAP_X = 22
GAP_Y = 14
MARGIN = 16
TOP = 34                 # room for the initial-state marker
LOOP_W = 34              # how far a self-loop reaches out of its box


def _text_width(text: str, size: float, *, bold=False, mono=False) -> float:
    factor = 0.61 if mono else (0.58 if bold else 0.53)
    return len(text) * size * factor


# --- the graph from the table ------------------------------------------------------------------------------
@dataclass
class _Edge:
    source: str                # a state, or a group's id ("@cancel") for a move drawn once from many states
    dest: str
    triggers: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)   # the moves' labels, as drawn

    @property
    def label(self) -> str:
        return " / ".join(self.words)


# A move allowed from this many states or more is drawn once, from a dashed box naming them, not once per state.
GROUP_FROM = 3


def initial_state(workflow: Workflow) -> str:
    initial = getattr(workflow.machine, "initial", None)
    return initial if initial in workflow.states else next(iter(workflow.states))


def group_words(workflow: Workflow, sources: tuple[str, ...], labels: dict[str, str], _) -> str:
    """What a group's box says: the run of states it stands for ("da ogni stato tra «bozza» e «convenzioni»"),
    or the states one by one when they are not a run of the table's order."""
    order = list(workflow.states)
    at = sorted(order.index(s) for s in sources)
    if at == list(range(at[0], at[-1] + 1)):
        return _("da ogni stato tra «%(first)s» e «%(last)s»", first=labels[order[at[0]]], last=labels[order[at[-1]]])
    return _("da: %(list)s", list=", ".join(labels[order[i]] for i in at))


def groups(workflow: Workflow) -> dict[str, tuple[str, ...]]:
    """The moves drawn once from many states: the group's id ("@" and the trigger) and the states it stands for."""
    return {f"@{t.trigger}": t.sources for t in workflow.table if len(t.sources) >= GROUP_FROM}


def _edges(workflow: Workflow, _=None) -> list[_Edge]:
    """One edge per (source, destination), its moves in the table's order, named by their labels (through `_`,
    the page's translation); a move from many states is one edge from its group."""
    _ = _ or _identity
    by_pair: dict[tuple[str, str], _Edge] = {}
    for t in workflow.table:
        sources = (f"@{t.trigger}",) if len(t.sources) >= GROUP_FROM else t.sources
        for s in sources:
            edge = by_pair.setdefault((s, t.dest), _Edge(s, t.dest))
            if t.trigger not in edge.triggers:
                edge.triggers.append(t.trigger)
                edge.words.append(_(t.label) if t.label else t.trigger)
    return list(by_pair.values())


def layers(workflow: Workflow) -> dict[str, int]:
    """Each state's layer (and each group's): the longest path from the initial state once cycles are cut (back
    edges of a depth-first walk in table order); unreachable states in one layer after the others."""
    adjacency: dict[str, list[str]] = {s: [] for s in workflow.states}
    for gid, sources in groups(workflow).items():  # a group sits below the states it stands for
        adjacency[gid] = []
        for s in sources:
            adjacency[s].append(gid)
    for e in _edges(workflow):
        if e.source != e.dest and e.dest not in adjacency[e.source]:
            adjacency[e.source].append(e.dest)
    start = initial_state(workflow)
    back: set[tuple[str, str]] = set()
    postorder: list[str] = []
    on_stack: set[str] = set()
    visited: set[str] = set()

    def walk(u: str) -> None:
        visited.add(u)
        on_stack.add(u)
        for v in adjacency[u]:
            if v in on_stack:
                back.add((u, v))
            elif v not in visited:
                walk(v)
        on_stack.discard(u)
        postorder.append(u)

    walk(start)
    layer = {start: 0}
    for u in reversed(postorder):  # a topological order of the reachable part without back edges
        for v in adjacency[u]:
            if (u, v) not in back:
                layer[v] = max(layer.get(v, 0), layer[u] + 1)
    last = max(layer.values()) + 1
    for s in adjacency:
        layer.setdefault(s, last)
    return layer


# --- layout ------------------------------------------------------------------------------------------------
@dataclass
class _Node:
    id: str
    kind: str                  # "state", "label", "dummy"
    rank: int
    left: float                # extent left of x
    right: float               # extent right of x (a state's self-loop lives here)
    height: float
    text: str = ""
    x: float = 0.0
    y: float = 0.0             # centre


@dataclass
class _Chain:
    edge: _Edge
    nodes: list[str]           # top to bottom: upper state, virtual nodes…, lower state
    reversed: bool             # True when the edge goes upwards (its source is the lower state)
    label_node: str


def _isotonic(targets: list[float]) -> list[float]:
    """Pool-adjacent-violators: the non-decreasing sequence closest (least squares) to `targets`."""
    blocks: list[list[float]] = []  # [sum, count]
    for t in targets:
        blocks.append([t, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    out: list[float] = []
    for s, c in blocks:
        out.extend([s / c] * c)
    return out


class _Layout:
    def __init__(self, workflow: Workflow, current_state: str | None, labels: dict[str, str], _=None):
        """`labels`: each state's label as drawn (in the page's language); `_`: the page's translation."""
        self.workflow = workflow
        self.current = current_state
        self.layer = layers(workflow)
        self.nodes: dict[str, _Node] = {}
        self.chains: list[_Chain] = []
        self.loops: list[_Edge] = []
        self.flat: list[_Edge] = []        # edges between two states of the same layer
        self.max_rank = 2 * max(self.layer.values())
        self.ranks: list[list[str]] = [[] for _r in range(self.max_rank + 1)]

        edges = _edges(workflow, _)
        loop_labels = {e.source: e.label for e in edges if e.source == e.dest}
        for code, label in labels.items():
            h = BOX_H_CURRENT if code == current_state else BOX_H
            w = max(BOX_MIN_W, _text_width(label, LABEL_SIZE, bold=True) + 2 * BOX_PAD_X)
            right = w / 2
            if code in loop_labels:
                right += LOOP_W + 6 + _text_width(loop_labels[code], MOVE_SIZE)
            self._add(_Node(code, "state", 2 * self.layer[code], w / 2, right, h, text=label))
        for gid, sources in groups(workflow).items():
            text = group_words(workflow, sources, labels, _ or _identity)
            w = max(BOX_MIN_W, _text_width(text, MOVE_SIZE) + 2 * BOX_PAD_X)
            self._add(_Node(gid, "group", 2 * self.layer[gid], w / 2, w / 2, GROUP_H, text=text))

        for i, e in enumerate(edges):
            if e.source == e.dest:
                self.loops.append(e)
                continue
            ls, ld = self.layer[e.source], self.layer[e.dest]
            if ls == ld:
                self.flat.append(e)
                continue
            upper, lower = (e.source, e.dest) if ls < ld else (e.dest, e.source)
            top, bottom = 2 * min(ls, ld), 2 * max(ls, ld)
            label_rank = top + 1 if ls < ld else bottom - 1
            chain = [upper]
            label_id = ""
            for r in range(top + 1, bottom):
                nid = f"#{i}:{r}"
                if r == label_rank:
                    w = _text_width(e.label, MOVE_SIZE) + 10
                    self._add(_Node(nid, "label", r, w / 2, w / 2, TRIGGER_H, text=e.label))
                    label_id = nid
                else:
                    self._add(_Node(nid, "dummy", r, DUMMY_W / 2, DUMMY_W / 2, 4))
                chain.append(nid)
            chain.append(lower)
            self.chains.append(_Chain(e, chain, ls > ld, label_id))

        self.up: dict[str, list[str]] = {n: [] for n in self.nodes}
        self.down: dict[str, list[str]] = {n: [] for n in self.nodes}
        for c in self.chains:
            for a, b in zip(c.nodes, c.nodes[1:]):
                self.down[a].append(b)
                self.up[b].append(a)
        self._order()
        self._place_x()
        self._place_y()

    def _add(self, node: _Node) -> None:
        self.nodes[node.id] = node
        self.ranks[node.rank].append(node.id)

    # ordering: barycenter sweeps, keeping the order with the fewest crossings
    def _crossings(self) -> int:
        pos = {n: i for rank in self.ranks for i, n in enumerate(rank)}
        total = 0
        for rank in self.ranks[:-1]:
            segs = [(pos[a], pos[b]) for a in rank for b in self.down[a]]
            for i, (a1, b1) in enumerate(segs):
                for a2, b2 in segs[i + 1:]:
                    if (a1 - a2) * (b1 - b2) < 0:
                        total += 1
        return total

    def _sweep(self, rng, neighbours) -> None:
        for r in rng:
            pos = {n: i for i, n in enumerate(self.ranks[r - 1 if neighbours is self.up else r + 1])}
            current = {n: i for i, n in enumerate(self.ranks[r])}

            def key(n):
                ns = [pos[m] for m in neighbours[n] if m in pos]
                return (sum(ns) / len(ns)) if ns else current[n]

            self.ranks[r].sort(key=lambda n: (key(n), current[n]))

    def _order(self) -> None:
        best, best_count = [list(r) for r in self.ranks], self._crossings()
        for _ in range(8):
            if best_count == 0:
                break
            self._sweep(range(1, len(self.ranks)), self.up)
            self._sweep(range(len(self.ranks) - 2, -1, -1), self.down)
            count = self._crossings()
            if count < best_count:
                best, best_count = [list(r) for r in self.ranks], count
        self.ranks = best

    # x: each rank placed as close as possible to its neighbours, keeping order and gaps
    def _place_rank(self, rank: list[str], desired: list[float]) -> None:
        offsets, acc = [], 0.0
        for i, n in enumerate(rank):
            if i:
                acc += self.nodes[rank[i - 1]].right + GAP_X + self.nodes[n].left
            offsets.append(acc)
        ys = _isotonic([d - o for d, o in zip(desired, offsets)])
        for n, y, o in zip(rank, ys, offsets):
            self.nodes[n].x = y + o

    def _place_x(self) -> None:
        for rank in self.ranks:
            self._place_rank(rank, [0.0] * len(rank))
            if rank:  # centre each rank around 0
                lo = self.nodes[rank[0]].x - self.nodes[rank[0]].left
                hi = self.nodes[rank[-1]].x + self.nodes[rank[-1]].right
                for n in rank:
                    self.nodes[n].x -= (lo + hi) / 2
        for _ in range(12):
            for order, neighbours in ((range(1, len(self.ranks)), self.up),
                                      (range(len(self.ranks) - 2, -1, -1), self.down)):
                for r in order:
                    rank = self.ranks[r]
                    desired = []
                    for n in rank:
                        ns = [self.nodes[m].x for m in neighbours[n]]
                        desired.append(sum(ns) / len(ns) if ns else self.nodes[n].x)
                    self._place_rank(rank, desired)
        lo = min((n.x - n.left for n in self.nodes.values()), default=0.0)
        for n in self.nodes.values():
            n.x += MARGIN - lo

    def _place_y(self) -> None:
        y = TOP
        self.rank_top: list[float] = []
        self.rank_bottom: list[float] = []
        flat_ranks = {2 * self.layer[e.source] for e in self.flat}
        for r, rank in enumerate(self.ranks):
            h = max((self.nodes[n].height for n in rank), default=0.0)
            if r % 2 == 1:
                h = max(h, 8.0)
            self.rank_top.append(y)
            self.rank_bottom.append(y + h)
            for n in rank:
                self.nodes[n].y = y + h / 2
            y += h + GAP_Y + (44 if r in flat_ranks else 0)
        self.height = y - GAP_Y + MARGIN
        self.width = max((n.x + n.right for n in self.nodes.values()), default=0.0) + MARGIN


# --- drawing -----------------------------------------------------------------------------------------------
def _identity(text: str, **values) -> str:
    return text % values if values else text


def _translator(locale: str | None):
    """gettext for the request's language (the labels and sentences are Italian msgids), or Italian as is."""
    if not locale or locale.startswith("it"):
        return _identity

    return gettext


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _id_prefix(workflow: Workflow, current_state: str | None) -> str:
    raw = f"sm-{workflow.entity_type}" + (f"-{current_state}" if current_state else "")
    return re.sub(r"[^A-Za-z0-9_-]", "-", raw)


def _state_words(workflow: Workflow, code: str, _=_identity) -> str:
    return f"«{_(workflow.states[code])}»"


def _move_words(t, _=_identity) -> str:
    return f"«{_(t.label)}»" if t.label else t.trigger


def description(workflow: Workflow, current_state: str | None = None, locale: str | None = None) -> str:
    """The diagram in words (Italian, or the request's language): states, transitions, the current state."""
    _ = _translator(locale)
    words = lambda code: _state_words(workflow, code, _)  # noqa: E731
    parts = [_("Diagramma degli stati «%(name)s»: %(states)s stati e %(moves)s transizioni.",
               name=_(workflow.name), states=len(workflow.states), moves=len(workflow.table))]
    parts.append(_("Stati: %(list)s.", list="; ".join(words(s) for s in workflow.states)))
    parts.append(_("Stato iniziale: %(state)s.", state=words(initial_state(workflow))))
    finals = [s for s in workflow.states if not any(s in t.sources for t in workflow.table)]
    if finals:
        parts.append(_("Stati finali (senza transizioni in uscita): %(list)s.",
                       list="; ".join(words(s) for s in finals)))
    moves = []
    for t in workflow.table:
        moves.append(_("%(move)s porta da %(sources)s a %(dest)s", move=_move_words(t, _),
                       sources=", ".join(words(s) for s in t.sources), dest=words(t.dest)))
    if moves:
        parts.append(_("Transizioni: %(list)s.", list="; ".join(moves)))
    if current_state in workflow.states:
        parts.append(_("Stato attuale: %(state)s.", state=words(current_state)))
        nxt = [_move_words(t, _) for t in workflow.table if current_state in t.sources]
        parts.append(_("Operazioni previste dallo stato attuale: %(list)s.",
                       list=", ".join(dict.fromkeys(nxt)) or _("nessuna")))
    return " ".join(parts)


def _cubic_path(points: list[tuple[float, float]]) -> str:
    """A smooth path through `points` with vertical tangents at each point."""
    d = [f"M{_f(points[0][0])},{_f(points[0][1])}"]
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        if abs(x1 - x2) < 0.5:
            d.append(f"L{_f(x2)},{_f(y2)}")
        else:
            my = (y1 + y2) / 2
            d.append(f"C{_f(x1)},{_f(my)} {_f(x2)},{_f(my)} {_f(x2)},{_f(y2)}")
    return " ".join(d)


def _ports(layout: _Layout) -> dict[tuple[int, str], float]:
    """Where each chain leaves or enters a box: spread along the bottom/top side, ordered by the
    x of the chain's next point, so edges that share a box do not start on top of each other."""
    sides: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for i, c in enumerate(layout.chains):
        first, second = layout.nodes[c.nodes[0]], layout.nodes[c.nodes[1]]
        last, before = layout.nodes[c.nodes[-1]], layout.nodes[c.nodes[-2]]
        sides.setdefault((first.id, "bottom"), []).append((second.x, i))
        sides.setdefault((last.id, "top"), []).append((before.x, i))
    out: dict[tuple[int, str], float] = {}
    for (nid, side), items in sides.items():
        node = layout.nodes[nid]
        width = 2 * node.left
        items.sort()
        n = len(items)
        step = min(16.0, (width - 24) / max(n - 1, 1))
        for k, (_, i) in enumerate(items):
            out[(i, side)] = node.x + (k - (n - 1) / 2) * step
    return out


def svg(workflow: Workflow, current_state: str | None = None, *, id_prefix: str | None = None,
        locale: str | None = None) -> str:
    """The machine as a self-contained inline SVG (role="img", Italian <title> and <desc>).

    `current_state` is highlighted: thick border, dark fill with white text, and the words
    "stato attuale" in the box and in the description (never colour alone). Ids inside the SVG
    start with `id_prefix` (default: from the machine and the state), so several diagrams can
    share a page. Text is Italian unless `locale` names another language (needs Flask-Babel's context)."""
    if current_state is not None and current_state not in workflow.states:
        current_state = None
    return _svg(workflow, current_state, id_prefix or _id_prefix(workflow, current_state), locale)


@lru_cache(maxsize=256)
def _svg(workflow: Workflow, current_state: str | None, pid: str, locale: str | None = None) -> str:
    _ = _translator(locale)
    labels = {code: _(label) for code, label in workflow.states.items()}
    current_words = _("stato attuale")
    lay = _Layout(workflow, current_state, labels, _)
    group_of = groups(workflow)
    if current_state:
        title = _("Diagramma degli stati: %(name)s, stato attuale «%(state)s»", name=_(workflow.name),
                  state=labels[current_state])
    else:
        title = _("Diagramma degli stati: %(name)s", name=_(workflow.name))
    W, H = lay.width, lay.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram" role="img" '
        f'aria-labelledby="{pid}-title {pid}-desc" viewBox="0 0 {_f(W)} {_f(H)}" width="{_f(W)}" '
        f'height="{_f(H)}" style="max-width:100%;height:auto" font-family={quoteattr(FONT)} '
        f'data-workflow={quoteattr(workflow.entity_type)}'
        + (f" data-current-state={quoteattr(current_state)}" if current_state else "") + ">",
        f'<title id="{pid}-title">{escape(title)}</title>',
        f'<desc id="{pid}-desc">{escape(description(workflow, current_state, locale))}</desc>',
        "<defs>",
    ]
    for suffix, colour in (("arrow", LINE), ("arrow-next", NEXT_LINE)):
        out.append(f'<marker id="{pid}-{suffix}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
                   f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
                   f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    out.append("</defs>")
    out.append(f'<rect x="0" y="0" width="{_f(W)}" height="{_f(H)}" fill="#ffffff"/>')

    def leaves_current(edge: _Edge) -> bool:
        return current_state is not None and current_state in group_of.get(edge.source, (edge.source,))

    def stroke(edge: _Edge) -> tuple[str, str, str]:
        if leaves_current(edge):
            return NEXT_LINE, "2.2", f"url(#{pid}-arrow-next)"
        return LINE, "1.4", f"url(#{pid}-arrow)"

    def trigger_label(x: float, y: float, text: str, edge: _Edge, anchor="middle") -> list[str]:
        w = _text_width(text, MOVE_SIZE) + 8
        rx = x - w / 2 if anchor == "middle" else x - 4
        weight = ' font-weight="700"' if leaves_current(edge) else ""
        return [f'<rect x="{_f(rx)}" y="{_f(y - TRIGGER_H / 2 + 1)}" width="{_f(w)}" height="{_f(TRIGGER_H - 2)}" '
                f'rx="3" fill="#ffffff" fill-opacity="0.92"/>',
                f'<text x="{_f(x)}" y="{_f(y + 4)}" text-anchor="{anchor}" '
                f'font-size="{MOVE_SIZE}" fill="{INK}"{weight}>{escape(text)}</text>']

    # edges first, boxes on top
    out.append('<g class="transitions">')
    ports = _ports(lay)
    for i, c in enumerate(lay.chains):
        top_node, bottom_node = lay.nodes[c.nodes[0]], lay.nodes[c.nodes[-1]]
        pts = [(ports[(i, "bottom")], top_node.y + top_node.height / 2)]
        for nid in c.nodes[1:-1]:
            n = lay.nodes[nid]
            pts.append((n.x, lay.rank_top[n.rank]))
            pts.append((n.x, lay.rank_bottom[n.rank]))
        pts.append((ports[(i, "top")], bottom_node.y - bottom_node.height / 2))
        if c.reversed:
            pts.reverse()
        colour, width, marker = stroke(c.edge)
        out.append(f'<g class="transition" data-source={quoteattr(c.edge.source)} data-dest={quoteattr(c.edge.dest)} '
                   f'data-triggers={quoteattr(" ".join(c.edge.triggers))}>')
        out.append(f'<path d="{_cubic_path(pts)}" fill="none" stroke="{colour}" stroke-width="{width}" '
                   f'marker-end="{marker}"/>')
        label = lay.nodes[c.label_node]
        out.extend(trigger_label(label.x, label.y, c.edge.label, c.edge))
        out.append("</g>")
    for e in lay.loops:
        n = lay.nodes[e.source]
        x0, y0 = n.x + n.left, n.y
        colour, width, marker = stroke(e)
        out.append(f'<g class="transition" data-source={quoteattr(e.source)} data-dest={quoteattr(e.dest)} '
                   f'data-triggers={quoteattr(" ".join(e.triggers))}>')
        out.append(f'<path d="M{_f(x0)},{_f(y0 - 9)} C{_f(x0 + LOOP_W)},{_f(y0 - 30)} {_f(x0 + LOOP_W)},{_f(y0 + 30)} '
                   f'{_f(x0)},{_f(y0 + 9)}" fill="none" stroke="{colour}" stroke-width="{width}" '
                   f'marker-end="{marker}"/>')
        out.extend(trigger_label(x0 + LOOP_W + 6, y0, e.label, e, anchor="start"))
        out.append("</g>")
    for e in lay.flat:
        a, b = lay.nodes[e.source], lay.nodes[e.dest]
        ya = a.y + a.height / 2
        yb = b.y + b.height / 2
        bend = max(ya, yb) + 40
        colour, width, marker = stroke(e)
        out.append(f'<g class="transition" data-source={quoteattr(e.source)} data-dest={quoteattr(e.dest)} '
                   f'data-triggers={quoteattr(" ".join(e.triggers))}>')
        out.append(f'<path d="M{_f(a.x)},{_f(ya)} C{_f(a.x)},{_f(bend)} {_f(b.x)},{_f(bend)} {_f(b.x)},{_f(yb)}" '
                   f'fill="none" stroke="{colour}" stroke-width="{width}" marker-end="{marker}"/>')
        out.extend(trigger_label((a.x + b.x) / 2, bend - 10, e.label, e))
        out.append("</g>")
    out.append("</g>")

    # the initial-state marker (a filled dot with an arrow, as in UML)
    start = lay.nodes[initial_state(workflow)]
    top, sx = start.y - start.height / 2, start.x - start.left + 12
    out.append(f'<g class="initial" aria-hidden="true"><circle cx="{_f(sx)}" cy="{_f(top - 18)}" r="6" fill="{INK}"/>'
               f'<path d="M{_f(sx)},{_f(top - 12)} L{_f(sx)},{_f(top)}" stroke="{INK}" stroke-width="1.4" '
               f'marker-end="url(#{pid}-arrow)"/></g>')

    out.append('<g class="states">')
    finals = {s for s in workflow.states if not any(s in t.sources for t in workflow.table)}
    for code in workflow.states:
        n = lay.nodes[code]
        current = code == current_state
        x, y, w, h = n.x - n.left, n.y - n.height / 2, 2 * n.left, n.height
        cls = "state current" if current else "state"
        out.append(f'<g class="{cls}" data-state={quoteattr(code)}>')
        fill, line, sw = (CURRENT_FILL, CURRENT_LINE, "3.5") if current else ("#ffffff", LINE, "1.5")
        text, sub = (CURRENT_TEXT, CURRENT_TEXT) if current else (INK, MUTED)
        out.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" rx="8" fill="{fill}" '
                   f'stroke="{line}" stroke-width="{sw}"/>')
        if code in finals:  # a state with no way out: double border
            out.append(f'<rect x="{_f(x + 3.5)}" y="{_f(y + 3.5)}" width="{_f(w - 7)}" height="{_f(h - 7)}" rx="6" '
                       f'fill="none" stroke="{text if current else line}" stroke-width="1"/>')
        base = y + (24 if current else h / 2 + 5)
        out.append(f'<text x="{_f(n.x)}" y="{_f(base)}" text-anchor="middle" font-size="{LABEL_SIZE}" '
                   f'font-weight="700" fill="{text}">{escape(n.text)}</text>')
        if current:
            out.append(f'<text x="{_f(n.x)}" y="{_f(base + 22)}" text-anchor="middle" font-size="12" '
                       f'font-weight="700" fill="{text}">▶ {escape(current_words)}</text>')
        out.append("</g>")
    for gid, sources in group_of.items():  # a move from many states: a dashed box naming them
        n = lay.nodes[gid]
        x, y, w, h = n.x - n.left, n.y - n.height / 2, 2 * n.left, n.height
        out.append(f'<g class="group" data-group={quoteattr(gid)} data-sources={quoteattr(" ".join(sources))}>')
        out.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" rx="8" fill="#ffffff" '
                   f'stroke="{LINE}" stroke-width="1.2" stroke-dasharray="5 3"/>')
        out.append(f'<text x="{_f(n.x)}" y="{_f(n.y + 4)}" text-anchor="middle" font-size="{MOVE_SIZE}" '
                   f'fill="{INK}">{escape(n.text)}</text>')
        out.append("</g>")
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


# --- documentation -----------------------------------------------------------------------------------------
def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _first_doc_line(fn) -> str:
    doc = inspect.getdoc(fn) or ""
    return doc.strip().splitlines()[0].strip() if doc.strip() else ""


def _guard_text(fn) -> str:
    name = getattr(fn, "__name__", repr(fn))
    line = _first_doc_line(fn)
    return f"`{name}`" + (f": {_md(line)}" if line else "")


def markdown(workflow: Workflow, *, heading_level: int = 2) -> str:
    """A section on one machine: its states, a Mermaid diagram, the table of its transitions."""
    h = "#" * heading_level
    initial = initial_state(workflow)
    lines = [f"{h} The {workflow.entity_type} machine («{workflow.name}»)", ""]
    lines.append(f"Initial state: `{initial}` ({workflow.states[initial]}); {len(workflow.states)} states, "
                 f"{len(workflow.table)} rows in the transition table.")
    lines += ["", f"{h}# States", "", "| code | label (Italian) |", "| --- | --- |"]
    lines += [f"| `{code}` | {_md(label)} |" for code, label in workflow.states.items()]
    lines += ["", f"{h}# Diagram", "", "```mermaid", workflow.mermaid(), "```", ""]
    lines += [f"{h}# Transitions", "",
              "| trigger | from | to | who | guards | required parameters | confirmed on pages with |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for t in workflow.table:
        trigger = f"`{t.trigger}`" + (f" ({_md(t.label)})" if t.label else "")
        sources = ", ".join(f"`{s}`" for s in t.sources)
        who = ", ".join(f"`{w}`" for w in sorted(t.who))
        guards = "<br>".join(_guard_text(g) for g in workflow.guards_of(t)) or "—"
        needs = ", ".join(f"`{p}`" for p in t.needs) or "—"
        confirm = _md(t.confirm) if t.confirm else "— (fires at the click)"
        lines.append(f"| {trigger} | {sources} | `{t.dest}` | {who} | {guards} | {needs} | {confirm} |")
    lines.append("")
    return "\n".join(lines)


# --- the machines, and the templates' helper ----------------------------------------------------------------
@lru_cache(maxsize=None)
def all_workflows() -> tuple[Workflow, ...]:
    """Every machine declared in a `codesign.<module>.workflow` module, in module order."""
    found: list[Workflow] = []
    for info in sorted(pkgutil.iter_modules([str(PACKAGE_DIR)]), key=lambda m: m.name):
        if not info.ispkg:
            continue
        name = f"codesign.{info.name}.workflow"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, Workflow) and value not in found:
                found.append(value)
    return tuple(found)


def workflow_for(target) -> Workflow:
    """The machine of a row (by its class name: Procedure → `procedure`), or of an entity type."""
    if isinstance(target, Workflow):
        return target
    entity = target if isinstance(target, str) else type(target).__name__.lower()
    for wf in all_workflows():
        if wf.entity_type == entity:
            return wf
    raise LookupError(f"nessuna macchina a stati per «{entity}»")


def diagram_svg(target, current_state: str | None = None, *, id_prefix: str | None = None):
    """For templates: `diagram_svg(proc)` (the row's machine, its state highlighted),
    `diagram_svg("proposal")` or `diagram_svg(workflow, "draft")`."""
    wf = workflow_for(target)
    if current_state is None and not isinstance(target, (str, Workflow)):
        current_state = getattr(target, "state", None)
    locale = get_locale()
    return Markup(svg(wf, current_state, id_prefix=id_prefix, locale=str(locale) if locale else None))


def diagram_state_label(row) -> str:
    """The label of a row's current state, in the request's language."""
    label = workflow_for(row).states.get(row.state)
    return gettext(label) if label else row.state


def init_app(app) -> None:
    """Register `diagram_svg` and `diagram_state_label` as Jinja globals (idempotent)."""
    app.jinja_env.globals["diagram_svg"] = diagram_svg
    app.jinja_env.globals["diagram_state_label"] = diagram_state_label
