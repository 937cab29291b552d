"""Italian tax codes, validated with python-stdnum: the 11-digit code of an entity (with its check
digit) or the 16-character codice fiscale of a person."""
from __future__ import annotations

from stdnum.exceptions import ValidationError
from stdnum.it import codicefiscale, iva


def normalize_tax_code(value: str) -> str:
    """Return the compact, validated code, or raise ValueError with an Italian message."""
    code = codicefiscale.compact(value or "")
    if not code:
        raise ValueError("Il codice fiscale è obbligatorio.")
    try:
        if len(code) == 11:
            return iva.validate(code)
        if len(code) == 16:
            return codicefiscale.validate(code)
    except ValidationError as exc:
        if "checksum" in type(exc).__name__.lower():
            raise ValueError("Il codice fiscale non è valido: la cifra di controllo non corrisponde.") from exc
        raise ValueError("Il codice fiscale non è valido.") from exc
    raise ValueError("Il codice fiscale deve avere 11 cifre (enti) o 16 caratteri (persone fisiche).")
