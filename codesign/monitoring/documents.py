"""The call's monitoring table as CSV (one row per started project), the same figures as the page."""
from __future__ import annotations

import csv
import io

from codesign.evaluation.documents import _cell  # the one guard against CSV injection

CSV_HEADER = ["proposta", "titolo", "ente", "stato", "concesso", "pagato", "budget", "speso",
              "cofinanziamento_previsto", "cofinanziamento_apportato", "relazioni", "relazioni_approvate",
              "relazioni_in_ritardo", "relazioni_da_esaminare", "voci_oltre_il_budget"]


def call_csv(rows) -> str:
    """`rows`: the `Figures` of `operations.call_dashboard`. Amounts with a dot, report numbers separated by spaces."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_HEADER)
    for f in rows:
        p = f.proposal
        writer.writerow([p.id, _cell(p.title), _cell(p.organization.name), p.state, f"{f.granted:.2f}",
                         f"{f.paid:.2f}", f"{f.budget:.2f}", f"{f.spent:.2f}", f"{f.cofinancing_planned:.2f}",
                         f"{f.cofinancing_provided:.2f}", len(f.reports), f.approved,
                         " ".join(str(r.number) for r in f.late), " ".join(str(r.number) for r in f.to_review),
                         _cell(" ".join(f"{c['category']}/{c['funding_source']}" for c in f.overspent))])
    return buf.getvalue()
