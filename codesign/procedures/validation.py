"""The rules of DOMAIN.md a call must meet to be published (the body's shape is procedures.schemas')."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from codesign.core.schemas import CUP_RE
from codesign.core.web import format_money, format_percent, format_score


def publish_problems(p, now: dt.datetime) -> list[str]:
    """Every rule of DOMAIN.md that `publish` needs, each unmet one as a sentence."""
    problems = []
    if not p.title:
        problems.append("manca il titolo")
    if not p.cup or not CUP_RE.match(p.cup):
        problems.append("manca il CUP (15 lettere e cifre)")
    if not p.rup:
        problems.append("manca il responsabile del procedimento (RUP)")
    if not p.act_ref:
        problems.append("manca il riferimento all'atto di approvazione (determina)")
    if p.budget_total is None:
        problems.append("manca il budget totale")
    if not p.lots:
        problems.append("serve almeno un lotto")
    elif p.budget_total is not None:
        total = sum((lot.budget for lot in p.lots), Decimal(0))
        if total != p.budget_total:
            problems.append(f"la somma dei budget dei lotti ({format_money(total)}) è diversa dal budget totale "
                            f"({format_money(p.budget_total)})")
    if p.funding_sources:
        share = sum((Decimal(f["share_pct"]) for f in p.funding_sources), Decimal(0))
        if share != 100:
            problems.append(f"le quote delle fonti di finanziamento sommano a {format_percent(share)}, non a 100%")
    else:
        problems.append("indicare almeno una fonte di finanziamento")
    if not p.criteria:
        problems.append("la griglia di valutazione non ha criteri")
    else:
        points = sum((c.max_points for c in p.criteria), Decimal(0))
        if points != 100:
            problems.append(f"i punteggi massimi dei criteri sommano a {format_score(points)}, non a 100")
        for c in p.criteria:
            if c.min_points is not None and c.min_points > c.max_points:
                problems.append(f"criterio {c.code}: il minimo supera il massimo")
    if p.threshold is None or not (0 <= p.threshold <= 100):
        problems.append("la soglia di punteggio deve essere compresa tra 0 e 100")
    if p.scoring not in ("points", "coefficients"):
        problems.append("indicare il metodo di valutazione (punti o coefficienti)")
    if not p.tie_break_criterion or p.tie_break_criterion not in {c.code for c in p.criteria}:
        problems.append("indicare il criterio che decide i pari merito (uno dei criteri della griglia)")
    if p.cofinancing_min_pct is None:
        problems.append("indicare la quota minima di cofinanziamento")
    for name, label in (("codesign_months", "la durata della co-progettazione"),
                        ("startup_months", "la durata dello start-up"),
                        ("monitoring_months", "la durata del monitoraggio"),
                        ("reporting_every_months", "la periodicità delle relazioni")):
        if getattr(p, name) is None:
            problems.append(f"indicare {label}")
    if p.min_publication_days is None:
        problems.append("indicare il periodo minimo di pubblicazione in giorni")
    if p.submission_deadline is None:
        problems.append("manca la scadenza per la presentazione delle proposte")
    else:
        days = p.min_publication_days or 0
        if p.submission_deadline < now + dt.timedelta(days=days):
            problems.append(f"la scadenza deve cadere almeno {days} giorni dopo la pubblicazione"
                            if days else "la scadenza deve essere nel futuro")
    if p.questions_until is not None and p.submission_deadline is not None \
            and p.questions_until >= p.submission_deadline:
        problems.append("il termine per le domande di chiarimento deve precedere la scadenza delle proposte")
    return problems
