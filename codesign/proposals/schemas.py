"""What an applicant sends about a proposal, declared once: the API parses with these, the OpenAPI document shows
them, the pages build them from their forms. The checks that need the call (the lot is one of its lots) take it as
the parse's context; the rules that need the whole proposal (the contribution within the lot's budget, the
co-financing share) are checked at `submit` (proposals.effects.submission_problems)."""
from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from codesign.core.schemas import Input, Int, Money, OptionalText, Text, may_be_absent
from codesign.organizations.schemas import TaxCode
from codesign.procedures.schemas import Code

MAX_PARTNERS = 50


class PartnerIn(Input):
    """A partner of the temporary association (ATS) that presents the proposal."""

    name: Text(300)
    tax_code: TaxCode
    role: Text(100) = "partner"

    @field_validator("role", mode="before")
    @classmethod
    def _partner_by_default(cls, value):
        return "partner" if value is None or (isinstance(value, str) and not value.strip()) else value


class ProposalPatch(Input):
    """A draft's content: any of its fields; an absent one is left as it is, `null` clears the summary and the
    partners."""

    model_config = may_be_absent("lot", "title", "requested_amount", "cofinancing_amount")

    lot: Code = Field(None, description="il codice di uno dei lotti dell'avviso")
    title: Text(400) = None
    summary: OptionalText(20_000) = Field(None, description="obbligatoria per inviare la proposta")
    requested_amount: Money = None
    cofinancing_amount: Money = None
    partners: list[PartnerIn] | None = Field(None, max_length=MAX_PARTNERS)

    @field_validator("lot")
    @classmethod
    def _a_lot_of_the_call(cls, value: str, info: ValidationInfo) -> str:
        procedure = (info.context or {}).get("procedure")
        if procedure is not None and procedure.lot_by_code(value) is None:
            raise ValueError("lotto sconosciuto per questo avviso")
        return value


class ProposalCreate(ProposalPatch):
    """A new draft: the body that presents it (one of the caller's), the lot, a title and the two amounts."""

    organization_id: Int(1) = Field(description="l'ente che presenta la proposta (uno di quelli del chiamante)")
    lot: Code = Field(description="il codice di uno dei lotti dell'avviso")
    title: Text(400)
    requested_amount: Money
    cofinancing_amount: Money
