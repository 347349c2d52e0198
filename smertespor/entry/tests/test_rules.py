import inspect
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from smertespor.audit.models import AuditEvent
from smertespor.entry.rules import require, requires


def is_gp(user):
    return user.role == "gp"


@pytest.mark.django_db
def test_a_user_who_fails_the_rule_is_refused_and_the_attempt_is_audited(planner):
    with pytest.raises(PermissionDenied):
        require(planner, is_gp, object_type="course")
    event = AuditEvent.objects.latest("sequence")
    assert (event.action, event.user, event.object_type) == ("refused", planner, "course")
    assert event.detail == {"rule": "is_gp"}


@pytest.mark.django_db
def test_a_user_who_passes_the_rule_goes_on_and_nothing_is_written(gp):
    before = AuditEvent.objects.count()
    require(gp, is_gp)
    require(gp, True)
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_computed_refusal_is_audited_too(gp):
    with pytest.raises(PermissionDenied):
        require(gp, False, object_type="plan", object_id="7")
    event = AuditEvent.objects.latest("sequence")
    assert (event.object_type, event.object_id) == ("plan", "7")


@pytest.mark.django_db
def test_the_decorator_refuses_with_the_route_named(planner, gp):
    @requires(is_gp)
    def view(request, number):
        return number * 2

    request = RequestFactory().get("/somewhere/")
    request.user = gp
    assert view(request, 21) == 42
    request.user = planner
    with pytest.raises(PermissionDenied):
        view(request, 21)
    assert AuditEvent.objects.latest("sequence").object_id == "/somewhere/"


def test_the_decorator_keeps_an_endpoint_s_resolved_signature_for_ninja():
    def endpoint(request, dose: "Decimal") -> "Decimal":
        return dose

    wrapped = requires(is_gp)(endpoint)
    assert inspect.signature(wrapped).parameters["dose"].annotation is Decimal
