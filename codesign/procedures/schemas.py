"""What is sent about a call's clarifications, declared once: the API parses with it, the OpenAPI document shows
it, the pages build it from their forms."""
from __future__ import annotations

from codesign.core.schemas import Input, Text

MAX_QUESTION = 2000
MAX_ANSWER = 5000


class QuestionIn(Input):
    """A question on the call, from an applicant."""

    question: Text(MAX_QUESTION)


class ClarificationIn(Input):
    """A clarification the call's administration publishes of its own: a question and its answer."""

    question: Text(MAX_QUESTION)
    answer: Text(MAX_ANSWER)


class ErratumIn(Input):
    """An erratum (avviso di rettifica) to a published call: what it corrects, and the correction."""

    title: Text(300)
    text: Text(MAX_ANSWER)


class AnswerIn(Input):
    """The administration's answer to a question; `question` rewords it for publication (so that nobody is named
    or recognised), else it is published as asked."""

    answer: Text(MAX_ANSWER)
    question: Text(MAX_QUESTION) | None = None
