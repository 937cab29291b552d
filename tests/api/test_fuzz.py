"""A schema fuzz run (schemathesis) against /api/v1/openapi.json, as an admin and as an applicant, over a
published call with a draft: every generated request answers without a server error, with a status the
document lists and a body, headers and content type its schema allows. Deterministic (derandomized) and
bounded: 16 examples per operation and role, about a thousand requests per run.

Every check runs, on the requests' side too: a request the document allows is not refused as malformed (400/422),
and one it forbids is refused. What the document cannot state is left out of the first check, named below: an
uploaded file's content (a PDF, an image, a CSV's rows: any bytes are schema-valid), what only the database knows
(a project's CUP that another project holds, a committee of registered evaluators, a proposal's lot among the
call's), a tax code's check digit, what two values say together
(a call's criterion with its minimum above its maximum, a code repeated in one of its lists; a committee's odd
number), and the organisations' keys that are ignored (the scenario files' `ref`), in which a NUL is still
refused."""
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.helpers import World

EXAMPLES = 16
# Operations whose body holds what the document cannot describe (besides every upload's file).
NOT_DESCRIBED = {"POST /projects", "POST /organizations", "PUT /procedures/{procedure_id}/committee",
                 "POST /procedures", "PATCH /procedures/{procedure_id}", "POST /join-requests",
                 "POST /procedures/{procedure_id}/proposals", "PATCH /proposals/{proposal_id}"}


def _not_described(document: dict) -> set[str]:
    """NOT_DESCRIBED and the operations that take a file (multipart): their labels as schemathesis writes them."""
    uploads = {f"{method.upper()} {path}" for path, item in document["paths"].items()
               for method, operation in item.items() if isinstance(operation, dict)
               if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})}
    return NOT_DESCRIBED | uploads


def _fuzz(app, headers) -> int:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    not_described = _not_described(schema.raw_schema)
    sent = 0
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            nonlocal sent
            sent += 1
            excluded = [positive_data_acceptance] if operation.label in not_described else []
            case.call_and_validate(headers=headers, excluded_checks=excluded)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # one report for every operation that fails, not the first
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
    return sent


def test_api_answers_within_its_document(app_ctx, client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    w.draft(0)
    sent = _fuzz(app_ctx, w.admin_h) + _fuzz(app_ctx, w.headers[0])
    assert sent >= 900, sent  # the run did exercise the document
