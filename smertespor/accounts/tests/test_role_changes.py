"""Separation of duties: a role change is proposed by one administrator and takes effect only
when a second one approves; every step is in the hash-chained audit log."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from smertespor.accounts import actions
from smertespor.accounts.models import Role, RoleChangeRequest
from smertespor.audit.models import AuditEvent
from tests.factories import UserFactory


@pytest.fixture
def second_admin(region_office):
    return UserFactory(
        username="admin-2", role=Role.ADMIN, organisation=region_office, is_staff=True
    )


def _propose(by, whom, organisation, role=Role.PRACTICE_NURSE, **extra):
    return actions.propose_role_change(
        user=by,
        target_id=whom.pk,
        role=role,
        organisation_id=organisation.pk,
        reason="Skifter stilling",
        **extra,
    )


def test_a_proposal_changes_nothing_until_a_second_administrator_approves(
    admin_user, second_admin, gp, practice
):
    request = _propose(admin_user, gp, practice)
    gp.refresh_from_db()
    assert gp.role == Role.GP
    actions.approve_role_change(user=second_admin, request_id=request.pk)
    gp.refresh_from_db()
    assert gp.role == Role.PRACTICE_NURSE
    assert RoleChangeRequest.objects.get(pk=request.pk).status == "approved"


def test_proposal_approval_and_rejection_are_in_the_audit_log_with_who_whom_from_and_to(
    admin_user, second_admin, gp, other_gp, practice, other_practice
):
    approved = _propose(admin_user, gp, practice)
    actions.approve_role_change(user=second_admin, request_id=approved.pk)
    rejected = _propose(second_admin, other_gp, other_practice, role=Role.SECRETARY)
    actions.reject_role_change(user=admin_user, request_id=rejected.pk, note="Nej")

    rows = list(AuditEvent.objects.filter(object_type="role_change_request").order_by("sequence"))
    assert [(r.username, r.action, r.detail.get("decision")) for r in rows] == [
        ("admin", "create", None),
        ("admin-2", "update", "approved"),
        ("admin-2", "create", None),
        ("admin", "update", "rejected"),
    ]
    assert rows[1].detail["who"] == "admin"
    assert rows[1].detail["whom"] == "gp"
    assert rows[1].detail["from"]["role"] == Role.GP
    assert rows[1].detail["to"] == {
        "role": Role.PRACTICE_NURSE,
        "organisation_id": practice.pk,
        "permissions": [],
    }
    other_gp.refresh_from_db()
    assert other_gp.role == Role.GP


def test_nobody_proposes_a_change_of_their_own_role(admin_user, practice):
    with pytest.raises(PermissionDenied):
        _propose(admin_user, admin_user, practice, role=Role.GP)
    assert not RoleChangeRequest.objects.exists()
    assert AuditEvent.objects.filter(user=admin_user, action="refused").exists()


def test_the_proposer_cannot_approve_their_own_proposal(admin_user, gp, practice):
    request = _propose(admin_user, gp, practice)
    with pytest.raises(PermissionDenied):
        actions.approve_role_change(user=admin_user, request_id=request.pk)
    gp.refresh_from_db()
    assert gp.role == Role.GP


def test_an_administrator_cannot_approve_a_change_of_their_own_role(
    admin_user, second_admin, practice
):
    request = _propose(admin_user, second_admin, practice, role=Role.GP)
    with pytest.raises(PermissionDenied):
        actions.approve_role_change(user=second_admin, request_id=request.pk)
    second_admin.refresh_from_db()
    assert second_admin.role == Role.ADMIN


def test_only_administrators_propose(gp, other_gp, practice):
    with pytest.raises(PermissionDenied):
        _propose(gp, other_gp, practice)


def test_a_role_must_fit_the_kind_of_organisation(admin_user, gp, clinic):
    with pytest.raises(ValidationError) as raised:
        _propose(admin_user, gp, clinic, role=Role.GP)
    assert "organisation" in raised.value.message_dict


def test_a_decided_request_cannot_be_decided_again(admin_user, second_admin, gp, practice):
    request = _propose(admin_user, gp, practice)
    actions.reject_role_change(user=second_admin, request_id=request.pk)
    with pytest.raises(ValidationError):
        actions.approve_role_change(user=second_admin, request_id=request.pk)
    gp.refresh_from_db()
    assert gp.role == Role.GP


def test_a_task_permission_is_granted_only_on_approval(
    admin_user, second_admin, clinic_doctor, clinic
):
    request = _propose(
        admin_user,
        clinic_doctor,
        clinic,
        role=Role.CLINIC_DOCTOR,
        permissions=["medication.sign_off_conversion_table"],
    )
    fresh = type(clinic_doctor).objects.get(pk=clinic_doctor.pk)
    assert not fresh.has_perm("medication.sign_off_conversion_table")
    actions.approve_role_change(user=second_admin, request_id=request.pk)
    fresh = type(clinic_doctor).objects.get(pk=clinic_doctor.pk)
    assert fresh.has_perm("medication.sign_off_conversion_table")


def test_the_pages_propose_and_approve_in_danish(
    admin_user, second_admin, gp, practice, client_for
):
    response = client_for(admin_user).post(
        reverse("accounts:role_request_create"),
        {
            "target_id": gp.pk,
            "role": Role.PRACTICE_NURSE,
            "organisation_id": practice.pk,
            "reason": "Ny stilling",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "godkende" in response.content.decode()
    request = RoleChangeRequest.objects.get()
    other = client_for(second_admin)
    page = other.get(reverse("accounts:role_requests"))
    assert "Godkend" in page.content.decode()
    other.post(reverse("accounts:role_request_approve", args=[request.pk]))
    gp.refresh_from_db()
    assert gp.role == Role.PRACTICE_NURSE


def test_the_form_does_not_offer_the_administrator_themselves(admin_user, client_for):
    response = client_for(admin_user).post(
        reverse("accounts:role_request_create"),
        {
            "target_id": admin_user.pk,
            "role": Role.GP,
            "organisation_id": admin_user.organisation_id,
            "reason": "Mig selv",
        },
    )
    assert response.status_code == 422
    assert not RoleChangeRequest.objects.exists()


def test_the_api_proposes_and_a_second_administrator_rejects(
    admin_user, second_admin, gp, practice, client_for
):
    created = client_for(admin_user).post(
        "/api/accounts/role-requests",
        json.dumps(
            {
                "user_id": gp.pk,
                "role": "practice_nurse",
                "organisation_id": practice.pk,
                "reason": "Ny stilling",
            }
        ),
        "application/json",
    )
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    own = client_for(admin_user).post(
        f"/api/accounts/role-requests/{request_id}/approve", content_type="application/json"
    )
    assert own.status_code == 403
    rejected = client_for(second_admin).post(
        f"/api/accounts/role-requests/{request_id}/reject",
        json.dumps({"note": "Nej"}),
        "application/json",
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"


def test_the_list_names_task_permissions_in_danish(admin_user, clinic_doctor, clinic, client_for):
    _propose(
        admin_user,
        clinic_doctor,
        clinic,
        role=Role.CLINIC_DOCTOR,
        permissions=["medication.sign_off_conversion_table"],
    )
    page = client_for(admin_user).get(reverse("accounts:role_requests"))
    assert "Godkende omregningstabeller" in page.content.decode()
