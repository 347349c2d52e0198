"""The access scope as one indexed condition sees exactly the patients the old expression saw.

`REFERENCE` below is the scope as it was written before (an EXISTS on care relations OR the
listed practice): it is kept here, and only here, as the definition the new condition must
match, row for row, for every role at every kind of organisation.
"""

from typing import Any, cast

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from smertespor.accounts.models import Requester, Role, User
from smertespor.accounts.permissions import can_see_patient_data, is_practice_staff
from smertespor.advice.access import scoped_requests, with_patient_visibility
from smertespor.advice.tests.factories import ask
from smertespor.patients.access import in_scope, in_scope_row_by_row, visible_patients
from smertespor.patients.models import CareRelation, Patient
from smertespor.tracks.models import Course, Handover
from tests.factories import RegionOfficeFactory, UserFactory
from tests.region_scale import build_region

pytestmark = pytest.mark.django_db


def reference_visible_patients(user: Requester) -> QuerySet[Patient]:
    """The scope as it was: practice staff see their practice's listed patients; anyone
    clinical sees patients with an open care relation to their organisation."""
    organisation_id = user.organisation_id if isinstance(user, User) else None
    if organisation_id is None or not can_see_patient_data(user):
        return Patient.objects.none()
    open_relation = CareRelation.objects.filter(
        patient=OuterRef("pk"), organisation_id=organisation_id, closed_at__isnull=True
    )
    scope = Q(Exists(open_relation))
    if is_practice_staff(user):
        scope |= Q(listed_practice_id=organisation_id)
    return Patient.objects.filter(scope)


def _ids(patients: QuerySet[Patient]) -> list[str]:
    return sorted(str(pk) for pk in patients.values_list("pk", flat=True))


@pytest.fixture
def region():
    return build_region(practices=6, patients=900, clinics=3, analyze=False)


def _personas(region) -> list[Any]:
    office = RegionOfficeFactory()
    organisations: list[Any] = [
        region.practices[0],  # lists patients and treats visitors listed elsewhere
        region.practices[1],
        region.clinics[0],
        region.clinics[1],
        office,
    ]
    people: list[Any] = [
        UserFactory(role=role, organisation=organisation)
        for organisation in organisations
        for role in Role
    ]
    people += [
        UserFactory(role=Role.GP, organisation=region.practices[0], is_active=False),
        UserFactory(role=Role.GP, organisation=None),
        UserFactory(role=Role.CLINIC_DOCTOR, organisation=None),
        AnonymousUser(),
    ]
    return people


def test_every_persona_sees_exactly_the_patients_the_old_expression_showed(region):
    scopes = {}
    for user in _personas(region):
        expected = _ids(reference_visible_patients(user))
        assert _ids(visible_patients(user)) == expected, user
        assert visible_patients(user).count() == len(expected), user  # no duplicate rows
        if isinstance(user, User):
            scopes[(user.role, user.organisation_id, user.is_active)] = len(expected)
    # The comparison is not vacuous: the GP sees listed patients and visitors, the clinic its
    # related patients; a planner, an inactive GP and someone without an organisation none.
    practice, clinic = region.practices[0].pk, region.clinics[0].pk
    listed = Patient.objects.filter(listed_practice_id=practice).count()
    assert scopes[(Role.GP, practice, True)] > listed > 0
    assert scopes[(Role.CLINIC_DOCTOR, clinic, True)] > 50
    assert scopes[(Role.CLINIC_DOCTOR, practice, True)] < scopes[(Role.GP, practice, True)]
    assert scopes[(Role.PLANNER, region.practices[0].pk, True)] == 0
    assert scopes[(Role.GP, practice, False)] == 0
    assert scopes[(Role.GP, None, True)] == 0


def test_the_worklists_rows_are_scoped_exactly_as_before(region):
    """Courses and handovers filtered by `in_scope` against the reference, per persona."""
    for user in _personas(region):
        reference = Exists(reference_visible_patients(user).filter(pk=OuterRef("patient_id")))
        assert sorted(Course.objects.filter(in_scope(user, "patient_id")).values_list("pk")) == (
            sorted(Course.objects.filter(reference).values_list("pk"))
        ), user
        via_course = Exists(
            reference_visible_patients(user).filter(pk=OuterRef("course__patient_id"))
        )
        assert sorted(
            Handover.objects.filter(in_scope(user, "course__patient_id")).values_list("pk")
        ) == sorted(Handover.objects.filter(via_course).values_list("pk")), user


def test_the_row_by_row_check_keeps_exactly_the_same_rows(region):
    """`in_scope_row_by_row` (the clinic worklist's handovers and appointments) is the scope,
    for every persona: practice staff, clinics, the region office, nobody."""
    seen_some = False
    for user in _personas(region):
        for model, field in ((Course, "patient_id"), (Handover, "course__patient_id")):
            rows = model.objects.values_list("pk")
            by_row = sorted(rows.filter(in_scope_row_by_row(user, field)))
            assert by_row == sorted(rows.filter(in_scope(user, field))), (user, model)
            seen_some = seen_some or bool(by_row)
    assert seen_some


def test_a_closed_care_relation_no_longer_opens_the_record(region):
    doctor = region.clinic_doctor
    closed_only = (
        Patient.objects.filter(
            care_relations__organisation=doctor.organisation,
            care_relations__closed_at__isnull=False,
        )
        .exclude(care_relations__organisation=doctor.organisation, care_relations__closed_at=None)
        .first()
    )
    assert closed_only is not None
    assert not visible_patients(doctor).filter(pk=closed_only.pk).exists()
    CareRelation.objects.create(
        patient=closed_only,
        organisation=doctor.organisation,
        reason=CareRelation.Reason.REFERRAL,
        opened_at=closed_only.created_at,
    )
    assert visible_patients(doctor).filter(pk=closed_only.pk).exists()


def test_advice_lists_name_a_patient_only_inside_the_scope(region):
    """`with_patient_visibility` (advice lists) agrees with the reference, both ways."""
    gp, doctor = region.gp, region.clinic_doctor
    patient = Patient.objects.filter(listed_practice=gp.organisation).first()
    assert patient is not None
    ask(gp, patient=patient, clinic=doctor.organisation)

    def shown(user):
        return {
            r.patient_id: r.patient_visible
            for r in cast(Any, with_patient_visibility(user, scoped_requests(user)))
        }

    def expected(user):
        return {patient.pk: reference_visible_patients(user).filter(pk=patient.pk).exists()}

    assert shown(gp) == expected(gp) == {patient.pk: True}
    assert shown(doctor) == expected(doctor) == {patient.pk: True}
    CareRelation.objects.filter(patient=patient, organisation=doctor.organisation).update(
        closed_at=timezone.now()
    )
    assert shown(doctor) == expected(doctor) == {patient.pk: False}
