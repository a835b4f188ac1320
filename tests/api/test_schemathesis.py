"""Property-based run of the OpenAPI document against the WSGI app: generated requests (valid
and invalid) never cause a server error, and every answer matches the document."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, seed
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from verka.api import services as api_services
from verka.processes import services

from . import bpmn
from .conftest import service_account

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_requests_keep_the_test_transaction():
    # Django's WSGI handler closes a connection that is not in autocommit mode at the start and
    # end of each request, which would end the test's transaction; Django's test client
    # disconnects the same receivers.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db, django_user_model, settings):
    settings.VERKA_API_MAX_LONG_POLL_MS = 0  # generated long polls must not wait
    user = service_account("fuzzer")
    services.deploy([("one.bpmn", bpmn.ONE_TASK), ("review.bpmn", bpmn.USER_TASK)])
    services.start_instance("one-task", {"amount": 5})
    services.start_instance("review")
    token = api_services.create_token("schemathesis", user, api_services.Scope.values)
    return {"Authorization": f"Bearer {token.secret}"}


def load_schema() -> schemathesis.schemas.BaseSchema:
    from verka.api.api import api

    # Fuzzing only, with a fixed number of examples and seed. The coverage phase (every field's
    # boundary and invalid values) passes too but doubles the time; the field-by-field bad
    # inputs have their own tests.
    config = schemathesis.config.SchemathesisConfig.from_dict(
        {"phases": {"coverage": {"enabled": False}}}
    )
    loaded = schemathesis.openapi.from_dict(
        api.get_openapi_schema(path_prefix="/api/v1/"), config=config
    )
    loaded.app = get_wsgi_application()
    return loaded


schema = load_schema()


@schema.parametrize()
@seed(20261123)
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_conforms_to_its_openapi_document(
    case, bearer, wsgi_requests_keep_the_test_transaction
):
    case.call_and_validate(headers=bearer, checks=CHECKS)
