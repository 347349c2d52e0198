"""Governed conversion tables (issue 11): a change is a draft, two people make it, the signer
sees what it changes for the region's patients and names the version, every factor is checked
against its published range, and the clinicians hear when the new table takes effect."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from smertespor.accounts.models import Role
from smertespor.audit.models import AuditEvent
from smertespor.medication.models import ConversionTableVersion
from smertespor.medication.table_impact import table_change_impact
from smertespor.medication.table_rows import table_from_version
from smertespor.medication.table_selectors import active_table_version
from smertespor.medication.table_services import (
    NEW_TABLE_NOTICE,
    TableEditError,
    copy_conversion_table,
    edit_draft_table,
    sign_off_conversion_table,
)
from smertespor.medication.tests.factories import MedicationLineFactory, sign_off
from smertespor.medication.tests.test_conversion_tables import browser_form, row_prefix
from smertespor.notifications.models import Notification
from smertespor.versions import StaleVersion
from tests.factories import PatientFactory, UserFactory

PROBLEM = "application/problem+json"


@pytest.fixture
def draft(admin_user, builtin_table):
    """A draft copy of the shipped Norwegian table, made by ``admin_user``."""
    return copy_conversion_table(
        source=builtin_table("nordic"), by=admin_user, table_id="nordic", version="2026.1"
    )


def with_factor(version, substance, factor, route="oral"):
    """The version's rows with one linear factor changed (as plain rows)."""
    meta, rows = table_from_version(version).to_rows()
    for row in rows:
        if (row["substance"], row["route"]) == (substance, route):
            row["factor"] = Decimal(factor)
    return meta, rows


def confirmation(version, **changes):
    version.refresh_from_db()
    return {
        "confirm": f"{version.table_id} {version.version}",
        "revision": version.revision,
        **changes,
    }


# --- plausibility (issue 11: an oxycodone factor of 1000 was accepted) ---------------------


def test_an_oxycodone_factor_of_1000_is_refused_with_the_published_range(admin_user, draft):
    meta, rows = with_factor(draft, "oxycodone", "1000")
    with pytest.raises(TableEditError) as refused:
        edit_draft_table(table_version=draft, by=admin_user, meta=meta, rows=rows)
    row = [r["substance"] for r in rows].index("oxycodone")
    [message] = refused.value.row_errors[row]
    # In Danish, with the range and the accepted span in the locale's numbers.
    assert "1,3–2" in message and "0,8667–3" in message and "Oksykodon, oral" in message
    assert draft.rules.get(substance="oxycodone").factor == Decimal("1.5")
    draft.refresh_from_db()
    assert draft.revision == 0


def test_the_editor_page_shows_the_range_at_the_refused_row(
    client_for, admin_user, draft, medication_url
):
    client = client_for(admin_user)
    data = browser_form(client.get(medication_url("table_edit", draft.pk)).content.decode())
    data[f"{row_prefix(data, 'oxycodone')}-factor"] = "1000"
    response = client.post(medication_url("table_edit", draft.pk), data)
    assert response.status_code == 422
    index = int(row_prefix(data, "oxycodone").split("-")[1])
    [error] = response.context["rules"].forms[index].non_field_errors()
    assert "1,3–2" in error


def test_the_api_refuses_an_implausible_factor_at_its_row(client_for, admin_user, draft):
    meta, rows = with_factor(draft, "oxycodone", "1000")
    body = {
        "title": meta["title"],
        "source": meta["source"],
        "published": meta["published"].isoformat(),
        "note": meta["note"],
        "rules": json.loads(json.dumps(rows, default=str)),
    }
    response = client_for(admin_user).put(
        "/api/omeq/factor-sets/nordic/2026.1", json.dumps(body), "application/json"
    )
    assert response.status_code == 422
    row = [r["substance"] for r in rows].index("oxycodone")
    assert {"field": f"rules.{row}", "code": "factor_implausible"} in [
        {k: e[k] for k in ("field", "code")} for e in response.json()["errors"]
    ]


# --- two people: whoever drafted cannot sign off (issue 11: one click by one admin) --------


def test_the_administrator_who_copied_the_draft_cannot_sign_it_off(admin_user, draft):
    before = AuditEvent.objects.filter(action="refused").count()
    with pytest.raises(PermissionDenied):
        sign_off(draft, admin_user)
    assert AuditEvent.objects.filter(action="refused").count() == before + 1
    refused = AuditEvent.objects.latest("sequence")
    assert (refused.object_id, refused.detail) == ("nordic@2026.1", {"rule": "is_not_a_drafter"})
    assert not ConversionTableVersion.objects.filter(is_active_for_region=True).exists()


def test_an_administrator_who_edited_the_draft_cannot_sign_it_off(
    admin_user, other_admin, region_office, draft
):
    edit_draft_table(
        table_version=draft, by=other_admin, meta={}, rows=with_factor(draft, "oxycodone", "2")[1]
    )
    for drafter in (admin_user, other_admin):
        with pytest.raises(PermissionDenied):
            sign_off(draft, drafter)
    third = UserFactory.create(username="admin-3", role=Role.ADMIN, organisation=region_office)
    assert sign_off(draft, third).signed_off_by == third


def test_a_second_administrator_signs_the_draft_off(other_admin, draft):
    signed = sign_off(draft, other_admin)
    assert (signed.signed_off_by, signed.is_active_for_region) == (other_admin, True)
    assert active_table_version() == draft


def test_a_clinician_with_the_sign_off_permission_signs_the_draft_off(table_signer, draft):
    assert sign_off(draft, table_signer).signed_off_by == table_signer


@pytest.mark.parametrize("persona", ["clinic_doctor", "gp", "planner", "clinic_secretary"])
def test_no_one_else_may_sign_off(request, persona, draft):
    with pytest.raises(PermissionDenied):
        sign_off(draft, request.getfixturevalue(persona))


def test_the_permission_does_not_make_a_planner_a_signer(planner, draft):
    from django.contrib.auth.models import Permission

    planner.user_permissions.add(Permission.objects.get(codename="sign_off_conversion_table"))
    with pytest.raises(PermissionDenied):
        sign_off(draft, type(planner).objects.get(pk=planner.pk))


def test_the_signer_must_name_the_version(other_admin, draft):
    with pytest.raises(ValidationError) as refused:
        sign_off_conversion_table(
            table_version=draft, by=other_admin, confirm="nordic 2022.1", revision=0
        )
    assert refused.value.error_dict["confirm"][0].code == "not_confirmed"
    assert not ConversionTableVersion.objects.filter(is_active_for_region=True).exists()


def test_a_draft_edited_after_the_review_is_not_signed_off(admin_user, other_admin, draft):
    reviewed = confirmation(draft)
    edit_draft_table(
        table_version=draft, by=admin_user, meta={}, rows=with_factor(draft, "oxycodone", "2")[1]
    )
    with pytest.raises(StaleVersion):
        sign_off_conversion_table(table_version=draft, by=other_admin, **reviewed)


@pytest.mark.parametrize("table_id", ["nordic", "cdc-2022"])
def test_a_shipped_or_signed_off_version_is_never_signed_off_again(
    other_admin, builtin_table, draft, table_id
):
    for version in (builtin_table(table_id), sign_off(draft, other_admin)):
        with pytest.raises(ValidationError) as refused:
            sign_off(version, other_admin)
        assert refused.value.error_list[0].code == "table_not_a_draft"


def test_every_step_is_audited(admin_user, other_admin, draft):
    edit_draft_table(
        table_version=draft, by=admin_user, meta={}, rows=with_factor(draft, "oxycodone", "2")[1]
    )
    sign_off(draft, other_admin)
    events = AuditEvent.objects.filter(object_id="nordic@2026.1").order_by("sequence")
    assert [(e.action, e.username, e.detail.get("revision")) for e in events] == [
        ("create", "admin", 0),
        ("update", "admin", 1),
        ("update", "admin-2", 1),
    ]
    signed = events.reverse()[0].detail
    assert (signed["signed_off"], signed["drafted_by"]) == (True, ["admin"])
    assert [(s.kind, s.by, s.revision) for s in draft.draft_steps.all()] == [
        ("copied", admin_user, 0),
        ("edited", admin_user, 1),
    ]


# --- the clinicians are told -------------------------------------------------------------


def test_the_clinicians_are_notified_when_the_new_table_takes_effect(
    other_admin,
    draft,
    gp,
    other_gp,
    practice_nurse,
    clinic_doctor,
    clinic_nurse,
    clinic_secretary,
    planner,
    admin_user,
):
    sign_off(draft, other_admin)
    told = Notification.objects.filter(kind=NEW_TABLE_NOTICE)
    assert {n.recipient for n in told} == {
        gp,
        other_gp,
        practice_nurse,
        clinic_doctor,
        clinic_nurse,
    }
    notice = told.get(recipient=gp)
    assert "nordic 2026.1" in notice.message and notice.url == "/medication/calculator/"


# --- what the signer sees: the impact on a hand-built set of patients --------------------


@pytest.fixture
def patients(practice, other_practice):
    """Five patients: four take oxycodone (one crossing 100 mg/day at factor 2), one morphine,
    and one a ketobemidone suppository that no table converts."""
    lists = [
        [("oxycodone-depot-tablet", 20, 2)],  # 60 -> 80 mg/day
        [("oxycodone-depot-tablet", 40, 1), ("oxycodone-depot-tablet", 10, 1)],  # 75 -> 100
        [("oxycodone-capsule", 5, 4), ("morphine-depot-tablet", 10, 2)],  # 50 -> 60
        [("morphine-depot-tablet", 30, 2)],  # 60, unchanged
        [("ketobemidone-suppository", 10, 2)],  # no rectal ketobemidone in either table
    ]
    made = []
    for index, products in enumerate(lists):
        patient = PatientFactory(name=f"Hemmelig Patient{index}", listed_practice=practice)
        for product_id, strength, doses in products:
            MedicationLineFactory.create(
                patient=patient, product_id=product_id, strength=strength, doses_per_day=doses
            )
        made.append(patient)
    # A line that has ended does not count.
    ended = PatientFactory(name="Hemmelig Tidligere", listed_practice=other_practice)
    MedicationLineFactory.create(
        patient=ended, product_id="oxycodone-depot-tablet", strength=80, ended_on="2025-02-01"
    )
    return made


def test_the_impact_counts_whose_omeq_moves_and_by_how_much(admin_user, draft, patients):
    edit_draft_table(
        table_version=draft, by=admin_user, meta={}, rows=with_factor(draft, "oxycodone", "2")[1]
    )
    impact = table_change_impact(draft)
    assert (impact.regimens, impact.moved) == (5, 3)
    assert {o.value: n for o, n in impact.outcomes if n} == {
        "raised": 3,
        "unchanged": 1,
        "not_computable": 1,
    }
    assert [(c.max_before, c.max_after) for c in impact.largest] == [
        (Decimal(75), Decimal(100)),
        (Decimal(60), Decimal(80)),
        (Decimal(50), Decimal(60)),
    ]
    _reassess, high = impact.crossings
    assert (high.now_at_or_above, high.now_below) == (1, 0)
    [change] = impact.rule_changes
    assert (change.substance, change.route.value, change.regimens) == ("oxycodone", "oral", 3)


def test_the_sign_off_page_shows_counts_and_sizes_never_a_patient(
    client_for, admin_user, other_admin, draft, patients, medication_url
):
    edit_draft_table(
        table_version=draft, by=admin_user, meta={}, rows=with_factor(draft, "oxycodone", "2")[1]
    )
    response = client_for(other_admin).get(medication_url("table_sign_off", draft.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="moved"><strong>3</strong>' in body
    assert 'data-testid="sign-off-form"' in body and "nordic 2026.1" in body
    assert "Hemmelig" not in body
    for patient in patients:
        assert patient.cpr[:6] not in body and str(patient.pk) not in body


def test_the_drafter_sees_the_impact_but_no_sign_off_form(
    client_for, admin_user, draft, patients, medication_url
):
    body = client_for(admin_user).get(medication_url("table_sign_off", draft.pk)).content.decode()
    assert 'data-testid="sign-off-by-someone-else"' in body
    assert 'data-testid="sign-off-form"' not in body


def test_the_drafter_posting_anyway_is_refused_with_403(
    client_for, admin_user, draft, medication_url
):
    response = client_for(admin_user).post(
        medication_url("table_sign_off", draft.pk), confirmation(draft)
    )
    assert response.status_code == 403
    assert not ConversionTableVersion.objects.filter(is_active_for_region=True).exists()


def test_a_wrong_name_on_the_page_is_refused_at_the_field(
    client_for, other_admin, draft, medication_url
):
    response = client_for(other_admin).post(
        medication_url("table_sign_off", draft.pk), confirmation(draft, confirm="ja")
    )
    assert response.status_code == 422
    assert response.context["form"].errors["confirm"]


def test_a_stale_review_on_the_page_is_409_and_offers_the_new_revision(
    client_for, admin_user, other_admin, draft, medication_url
):
    reviewed = confirmation(draft)
    edit_draft_table(
        table_version=draft, by=admin_user, meta={}, rows=with_factor(draft, "oxycodone", "2")[1]
    )
    response = client_for(other_admin).post(medication_url("table_sign_off", draft.pk), reviewed)
    assert response.status_code == 409
    assert 'name="revision" value="1"' in response.content.decode()


def test_a_shipped_version_has_no_sign_off_page(
    client_for, other_admin, builtin_table, medication_url
):
    nordic = builtin_table("nordic")
    response = client_for(other_admin).get(medication_url("table_sign_off", nordic.pk))
    assert response["Location"] == medication_url("table_detail", nordic.pk)


def test_a_clinician_signer_reads_the_tables_but_cannot_copy_or_edit(
    client_for, table_signer, draft, medication_url
):
    client = client_for(table_signer)
    assert client.get(medication_url("tables")).status_code == 200
    assert (
        "Make a draft copy"
        not in client.get(medication_url("table_detail", draft.pk)).content.decode()
    )
    assert client.get(medication_url("table_edit", draft.pk)).status_code == 403
    copy = client.post(medication_url("table_copy", draft.pk), {"table_id": "x", "version": "1"})
    assert copy.status_code == 403
    assert (
        client.post(medication_url("table_sign_off", draft.pk), confirmation(draft)).status_code
        == 302
    )


@pytest.mark.parametrize("persona", ["gp", "clinic_doctor", "planner", "clinic_secretary"])
def test_the_sign_off_page_refuses_everyone_else_and_shows_no_patient(
    request, client_for, draft, patients, medication_url, persona
):
    client = client_for(request.getfixturevalue(persona))
    for response in (
        client.get(medication_url("table_sign_off", draft.pk)),
        client.post(medication_url("table_sign_off", draft.pk), confirmation(draft)),
        client.get("/api/omeq/factor-sets/nordic/2026.1/impact"),
    ):
        assert response.status_code == 403
        assert b"Hemmelig" not in response.content
    assert not ConversionTableVersion.objects.filter(is_active_for_region=True).exists()


# --- the API twins -----------------------------------------------------------------------


def test_the_impact_api_gives_the_same_counts_and_the_confirmation(
    client_for, admin_user, other_admin, draft, patients
):
    edit_draft_table(
        table_version=draft, by=admin_user, meta={}, rows=with_factor(draft, "oxycodone", "2")[1]
    )
    response = client_for(other_admin).get("/api/omeq/factor-sets/nordic/2026.1/impact")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["patients"], body["moved"], body["confirmation"]) == (5, 3, "nordic 2026.1")
    assert body["factor_set"]["revision"] == 1 and body["factor_set"]["drafted_by"] == ["admin"]
    assert body["replaces"] == {"id": "nordic", "version": "2022.1"}
    assert body["largest_changes"][0]["max_before"] == "75"
    assert body["largest_changes"][0]["max_after"] == "100"
    [change] = body["rule_changes"]
    assert (change["before"]["factor"], change["after"]["factor"]) == ("1.5", "2")
    [check] = change["checks"]
    assert (check["standing"], check["published_low"], check["published_high"]) == (
        "within",
        "1.3",
        "2",
    )
    assert b"Hemmelig" not in response.content


def test_the_api_signs_off_with_the_same_rules(client_for, admin_user, other_admin, draft):
    body = {"id": "nordic", "version": "2026.1", "revision": 0, "confirm": "nordic 2026.1"}
    put = lambda user, payload: client_for(user).put(  # noqa: E731
        "/api/omeq/active-factor-set", json.dumps(payload), "application/json"
    )
    refused = put(admin_user, body)
    assert refused.status_code == 403 and refused["Content-Type"].startswith(PROBLEM)
    unconfirmed = put(other_admin, {**body, "confirm": "yes"})
    assert unconfirmed.status_code == 422
    assert unconfirmed.json()["errors"][0]["field"] == "confirm"
    stale = put(other_admin, {**body, "revision": 5})
    assert stale.status_code == 409 and stale["Content-Type"].startswith(PROBLEM)
    signed = put(other_admin, body)
    assert signed.status_code == 200, signed.content
    assert (signed.json()["is_active"], signed.json()["signed_off_by"]) == (True, "admin-2")
    assert Notification.objects.filter(kind=NEW_TABLE_NOTICE).count() == 0  # no clinicians here


def test_a_shipped_table_is_not_signed_off_through_the_api(client_for, other_admin):
    body = {"id": "cdc-2022", "version": "2022.1", "revision": 0, "confirm": "cdc-2022 2022.1"}
    response = client_for(other_admin).put(
        "/api/omeq/active-factor-set", json.dumps(body), "application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "table_not_a_draft"


def test_the_impact_of_an_unknown_version_is_404(client_for, other_admin):
    response = client_for(other_admin).get("/api/omeq/factor-sets/nordic/none/impact")
    assert response.status_code == 404 and response["Content-Type"].startswith(PROBLEM)
