"""A schema fuzz run (schemathesis) against /api/v1/openapi.json, as an admin and as an applicant, over a
published call with a draft: every generated request answers without a server error, with a status the
document lists and a body, headers and content type its schema allows. Deterministic (derandomized) and
bounded: 16 examples per operation and role, about a thousand requests per run.

The hand-written schemas of the older endpoints are looser than their validation (codes unique in a list, a
criterion's minimum below its maximum), so a schema-valid body may rightly get 422: the two checks on the
requests' side are left out; everything the document promises about responses is checked in full."""
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from tests.helpers import World

EXAMPLES = 16
EXCLUDED = [positive_data_acceptance, negative_data_rejection]


def _fuzz(app, headers) -> int:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
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
            case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

        try:
            run()
        except Exception as exc:  # one report for every operation that fails, not just the first
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
    return sent


def test_api_answers_within_its_document(app_ctx, client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    w.draft(0)
    sent = _fuzz(app_ctx, w.admin_h) + _fuzz(app_ctx, w.headers[0])
    assert sent >= 900, sent  # the run did exercise the document
