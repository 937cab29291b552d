"""What an admin sends to write up a good practice, declared once: the API parses with it, the OpenAPI document
shows it, the page's form builds it."""
from __future__ import annotations

from codesign.core.schemas import Email, Input, Text


class GoodPracticeIn(Input):
    """The public write-up of a good practice and whom to ask about it."""

    what: Text(5000)
    audience: Text(3000)
    results: Text(5000)
    reuse: Text(5000)
    contact_name: Text(200)
    contact_email: Email
    contact_phone: Text(40, min_length=0) | None = None


class PhotoIn(Input):
    """What a photo shows, for those who cannot see it (its alternative text)."""

    caption: Text(300)
