"""What a caller may send about a body (API.md, `POST /api/v1/organizations`), its members and the requests to join
it, declared once."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, WithJsonSchema, field_validator

from codesign.core.enums import LegalForm, OrgKind, Position
from codesign.core.schemas import Email, Input, Text
from codesign.organizations.taxcode import normalize_tax_code

TaxCode = Annotated[str, Field(max_length=40), AfterValidator(normalize_tax_code),
                    WithJsonSchema({"type": "string", "description": "11 cifre con cifra di controllo (enti), o codice "
                                                                     "fiscale personale di 16 caratteri"})]
KINDS = tuple(k.value for k in OrgKind)
LEGAL_FORMS = tuple(f.value for f in LegalForm)
POSITIONS = tuple(p.value for p in Position)


class OrganizationPatch(Input):
    """The details a legal representative may change; the tax code is the body's identity and stays."""

    name: Text(300) | None = None
    legal_form: Literal[LEGAL_FORMS] | None = None
    runts_id: Text(50) | None = None
    pec: Email | None = None
    address: Text(300) | None = None
    municipality: Text(120) | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value):
        if value is None:  # sent as null: a body always has a name
            raise ValueError("la denominazione non può essere vuota")
        return value


class OrganizationIn(Input):
    # The scenario files' organisations carry a `ref` of their own and are posted as they are: other keys are ignored.
    model_config = ConfigDict(extra="ignore")

    name: Text(300)
    kind: Literal[KINDS] = "ets"
    tax_code: TaxCode
    legal_form: Literal[LEGAL_FORMS] | None = None
    runts_id: Text(50) | None = None
    pec: Email | None = None
    address: Text(300) | None = None
    municipality: Text(120) | None = None


class JoinRequestIn(Input):
    tax_code: TaxCode
    message: Text(2000) | None = None


class MemberPatch(Input):
    position: Literal[POSITIONS]


class InviteIn(Input):
    """A colleague invited to work for the same administration."""

    email: Email
    name: Text(200)
