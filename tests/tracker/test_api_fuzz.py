"""Generated requests for every documented operation: never a 500, always the documented shape."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance
from tracker_helpers import api_token, bearer

from tracker.api import openapi_document

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_dict(openapi_document())
schema.config.update(base_url="http://localhost/api/v1")


@pytest.fixture
def manager_token(app, manager) -> dict:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a bug is a 500, not a traceback
    return bearer(api_token(app, "maria@clinic.example"))


@schema.parametrize()
# One database for every example of an operation, on purpose: they pile up, as real traffic does.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_generated_requests_get_documented_answers(case, app, manager_token):
    response = case.call(app=app, headers=manager_token)
    assert response.status_code < 500, response.text
    # The token is valid on purpose, and schema-valid data can still break a rule of the catalogue.
    case.validate_response(response, excluded_checks=[ignored_auth, positive_data_acceptance])
