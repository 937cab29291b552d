"""The call's data: parsing the API/form body (422 per field) and the rules checked at `publish`."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from codesign.core import validation as v
from codesign.core.errors import Invalid
from codesign.core.web import format_money, format_percent, format_score

CUP_RE = re.compile(r"^[A-Z0-9]{15}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ./-]{4,38}$")
SCALARS = ("title", "programme", "cup", "rup", "office", "contact_email", "contact_phone", "questions_until",
           "act_ref", "min_publication_days", "budget_total", "cofinancing_min_pct", "submission_deadline",
           "codesign_months", "startup_months", "monitoring_months", "reporting_every_months", "scoring", "rescale",
           "threshold", "tie_break_criterion")
LISTS = ("funding_sources", "declarations", "required_attachments", "indicators", "lots", "criteria")
FIELDS = SCALARS + LISTS + ("administration",)


def _pct(value):
    return v.decimal_value(value, lo=Decimal(0), hi=Decimal(100))


def _points(value):
    return v.decimal_value(value, lo=Decimal(0), hi=Decimal(100))


def _months(value):
    return v.integer(value, lo=1, hi=120)


def _bool(value):
    if not isinstance(value, bool):
        raise ValueError("deve essere true o false")
    return value


def _scoring(value):
    if value not in ("points", "coefficients"):
        raise ValueError("usare points oppure coefficients")
    return value


def _cup(value):
    value = v.text(value, required=False, max_length=15)
    if value is None:
        return None
    value = value.upper()
    if not CUP_RE.match(value):
        raise ValueError("il CUP è composto da 15 lettere e cifre")
    return value


def _phone(value):
    value = v.text(value, max_length=40)
    if not PHONE_RE.match(value):
        raise ValueError("numero di telefono non valido: cifre, spazi e il prefisso internazionale, es. 02 7740 1234")
    return value


def _code(value, what="codice"):
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return v.text(value, max_length=20)


def _list_of(value, item_fn, key):
    if not isinstance(value, list):
        raise ValueError("deve essere un elenco")
    out, seen = [], set()
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise ValueError(f"elemento {i + 1}: deve essere un oggetto")
        try:
            clean = item_fn(item)
        except ValueError as exc:
            raise ValueError(f"elemento {i + 1}: {exc}") from exc
        if key and clean[key] in seen:
            raise ValueError(f"elemento {i + 1}: codice «{clean[key]}» ripetuto")
        if key:
            seen.add(clean[key])
        out.append(clean)
    return out


def _field(item, name, fn, *args, **kwargs):
    try:
        return fn(item.get(name), *args, **kwargs)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from exc


def _funding(item):
    return {"code": _field(item, "code", _code), "share_pct": str(_field(item, "share_pct", _pct))}


def _declaration(item):
    return {"code": _field(item, "code", _code), "text": _field(item, "text", v.text, max_length=2000)}


def _attachment_kind(item):
    return {"kind": _field(item, "kind", _code), "title": _field(item, "title", v.text, max_length=300)}


def _indicator(item):
    return {"code": _field(item, "code", _code), "title": _field(item, "title", v.text, max_length=300),
            "unit": _field(item, "unit", v.text, required=False, max_length=50)}


def _lot(item):
    return {"code": _field(item, "code", _code), "title": _field(item, "title", v.text, max_length=300),
            "budget": _field(item, "budget", v.money)}


def _criterion(item):
    clean = _criterion_fields(item)
    if clean["min_points"] is not None and clean["min_points"] > clean["max_points"]:
        raise ValueError("min_points: il minimo non può superare il massimo")
    return clean


def _criterion_fields(item):
    min_points = item.get("min_points")
    return {"code": _field(item, "code", _code), "title": _field(item, "title", v.text, max_length=400),
            "max_points": _field(item, "max_points", v.decimal_value, lo=Decimal("0.01"), hi=Decimal(100)),
            "min_points": None if min_points is None else _field(item, "min_points", v.decimal_value,
                                                                  lo=Decimal(0), hi=Decimal(100))}


PARSERS = {
    "title": lambda x: v.text(x, max_length=400),
    "programme": lambda x: v.text(x, required=False, max_length=300),
    "cup": _cup,
    "rup": lambda x: v.text(x, required=False, max_length=200),
    "office": lambda x: v.text(x, required=False, max_length=200),
    "contact_email": lambda x: v.email_address(v.text(x, max_length=254)),
    "contact_phone": _phone,
    "questions_until": v.aware_datetime,
    "act_ref": lambda x: v.text(x, required=False, max_length=200),
    "min_publication_days": lambda x: v.integer(x, lo=0, hi=365),
    "budget_total": v.money,
    "cofinancing_min_pct": _pct,
    "submission_deadline": v.aware_datetime,
    "codesign_months": _months,
    "startup_months": _months,
    "monitoring_months": _months,
    "reporting_every_months": _months,
    "scoring": _scoring,
    "rescale": _bool,
    "threshold": _points,
    "tie_break_criterion": _code,
    "funding_sources": lambda x: _list_of(x, _funding, "code"),
    "declarations": lambda x: _list_of(x, _declaration, "code"),
    "required_attachments": lambda x: _list_of(x, _attachment_kind, "kind"),
    "indicators": lambda x: _list_of(x, _indicator, "code"),
    "lots": lambda x: _list_of(x, _lot, "code"),
    "criteria": lambda x: _list_of(x, _criterion, "code"),
}


def parse(data: dict, *, partial: bool) -> dict:
    """Clean the fields present in `data`. A full create needs a title; null clears an optional field."""
    if not isinstance(data, dict):
        raise Invalid({"body": "atteso un oggetto JSON"})
    c = v.Collector()
    unknown = [k for k in data if k not in FIELDS]
    for k in unknown:
        c.add(k, "campo sconosciuto")
    out = {}
    if not partial and "title" not in data:
        c.add("title", "campo obbligatorio")
    for name, value in data.items():
        if name in PARSERS:
            if value is None and name != "title":
                out[name] = [] if name in LISTS else None
                continue
            out[name] = c(name, PARSERS[name], value)
    c.raise_if_any()
    if "rescale" in out and out["rescale"] is None:
        out["rescale"] = False
    return out


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
