"""Pathway pages. Thin: parse, call access/selector/action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from domain.pathway import instrument_by_id
from smertespor.accounts.models import User
from smertespor.accounts.requests import SignedInRequest
from smertespor.audit.services import record_listed
from smertespor.definition_files import publish_page, versions_page
from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import require, requires
from smertespor.pathways import actions, labels
from smertespor.pathways.access import enrolment_for_request
from smertespor.pathways.forms import (
    EndEnrolmentForm,
    EndPartForm,
    EnrolForm,
    InvolveForm,
    LevelForm,
    PlanForm,
    PublishForm,
    StartForm,
)
from smertespor.pathways.models import Enrolment, Part
from smertespor.pathways.permissions import (
    can_enrol,
    can_publish,
    can_read_definitions,
    can_report,
    can_see_counts,
    can_see_enrolments,
    is_coordinator,
    is_patients_gp,
)
from smertespor.pathways.selectors import (
    counts,
    current_version,
    enrolments_for,
    latest_enrolment,
    organisations_for_stage,
    part_of,
    parts_of,
    pathway_versions,
    screenings_of,
    stage_rows,
    timeline_of,
    version_by_pk,
    where_now,
)
from smertespor.patients.access import patient_for, patient_for_request


def _patient_page(enrolment: Enrolment) -> HttpResponse:
    return redirect("pathways:patient", patient_id=enrolment.patient_id)


def _coordinated_enrolment(request: SignedInRequest, patient_id: str) -> tuple[User, Enrolment]:
    """The signed-in GP and the patient's enrolment, which their practice must coordinate
    (refused and audited otherwise)."""
    gp = require(request.user, can_enrol, object_type="pathway_enrolment")
    enrolment = enrolment_for_request(request, patient_id)
    require(
        gp,
        is_coordinator(gp, enrolment.coordinator_practice_id),
        object_type="pathway_enrolment",
        patient=enrolment.patient,
    )
    return gp, enrolment


def _form_page(request: SignedInRequest, form: Any, context: dict[str, Any]) -> HttpResponse:
    return render(
        request, "pathways/form.html", {"form": form, **context}, status=form_status(form)
    )


# --- the pathway itself --------------------------------------------------------------------


@login_required
@requires(can_read_definitions)
@require_GET
def versions(request: SignedInRequest) -> HttpResponse:
    return versions_page(
        request,
        versions=pathway_versions(),
        template="pathways/versions.html",
        can_publish=can_publish(request.user),
    )


@login_required
@requires(can_read_definitions)
@require_GET
def version(request: SignedInRequest, version_id: int) -> HttpResponse:
    stored = version_by_pk(version_id)
    pathway = stored.definition
    instrument = instrument_by_id(pathway.instrument)
    current = current_version(stored.pathway_id)
    return render(
        request,
        "pathways/version.html",
        {
            "stored": stored,
            "pathway": pathway,
            "is_current": current is not None and current.pk == stored.pk,
            "instrument": instrument,
            "items": [(i, labels.item_text(i)) for i in instrument.items],
            "outcomes": [
                (
                    o,
                    labels.outcome_name(instrument, o.code),
                    labels.matched_treatment(instrument, o.code),
                )
                for o in instrument.outcomes
            ],
            "stages": [(s, labels.actor_name(s.owner)) for s in pathway.stages],
        },
    )


@login_required
@requires(can_publish)
@require_http_methods(["GET", "POST"])
@performs(actions.publish_pathway_version)
def publish(request: SignedInRequest) -> HttpResponse:
    current = current_version()
    return publish_page(
        request,
        form_class=PublishForm,
        publish=actions.publish_pathway_version,
        current_text=current.text if current is not None else "",
        template="pathways/form.html",
        context={
            "title": _("Publish a new version of the pathway"),
            "intro": _(
                "The file is checked whole before anything is saved. Patients already enrolled "
                "keep the version they started on."
            ),
            "back": "pathways:versions",
        },
        published=lambda stored: (
            _("Version %(version)s is published: new enrolments start on it.")
            % {"version": stored.version}
        ),
        done=lambda stored: redirect("pathways:version", version_id=stored.pk),
    )


# --- lists ---------------------------------------------------------------------------------


@login_required
@requires(can_see_enrolments)
@require_GET
def enrolments(request: SignedInRequest) -> HttpResponse:
    rows = list(enrolments_for(request.user)[:500])
    record_listed(
        user=request.user, patients=[e.patient for e in rows], object_type="pathway_enrolments"
    )
    return render(
        request,
        "pathways/enrolments.html",
        {"rows": [(e, e.pathway.definition.level(e.level), where_now(e)) for e in rows]},
    )


@login_required
@requires(can_see_counts)
@require_GET
def pathway_counts(request: SignedInRequest) -> HttpResponse:
    current = current_version()
    pathway = current.definition if current else None
    found = counts()
    return render(
        request,
        "pathways/counts.html",
        {
            "counts": found,
            "levels": [(lv, found["by_level"].get(lv.code, 0)) for lv in pathway.levels]
            if pathway
            else [],
            "stages": [(s, found["by_stage"].get(s.code, 0)) for s in pathway.stages]
            if pathway
            else [],
        },
    )


# --- a patient's pathway -------------------------------------------------------------------


def pathway_context(user: Any, patient: Any, *, enrolled: bool = True) -> dict[str, Any]:
    """What the patient's pathway page and panel show (the patient already loaded and
    audited through `patients.access`). ``enrolled=False``: the caller knows the patient has
    never been enrolled (`patients.page_reads.has_records`), so nothing is read."""
    enrolment = latest_enrolment(patient) if enrolled else None
    context: dict[str, Any] = {
        "patient": patient,
        "enrolment": enrolment,
        "can_enrol": enrolment is None or not enrolment.is_active,
    }
    context["can_enrol"] = context["can_enrol"] and is_patients_gp(user, patient)
    if enrolment is None:
        return context
    pathway = enrolment.pathway.definition
    coordinating = enrolment.is_active and is_coordinator(user, enrolment.coordinator_practice_id)
    own_kind = getattr(getattr(user, "organisation", None), "kind", None)
    own_id = getattr(user, "organisation_id", None)
    reporting = enrolment.is_active and can_report(user)
    parts = list(parts_of(enrolment))  # read once for the stages, "where now" and the checks
    rows = stage_rows(enrolment, pathway, parts)
    context.update(
        {
            "pathway": pathway,
            "level": pathway.level(enrolment.level),
            "now": where_now(enrolment, parts) if enrolment.is_active else [],
            "rows": rows,
            "timeline": list(timeline_of(enrolment)),
            "screening": screenings_of(enrolment).first(),
            "is_coordinator": coordinating,
            "can_start": reporting
            and any(
                not any(
                    p.stage == stage.code
                    and p.organisation_id == own_id
                    and p.status == Part.Status.ACTIVE
                    for p in parts
                )
                for stage in pathway.stages_owned_by(own_kind or "")
            ),
            "own_parts": [
                p
                for p in parts
                if reporting and p.organisation_id == own_id and p.status != Part.Status.ENDED
            ],
        }
    )
    screening = context["screening"]
    if screening is not None:
        instrument = instrument_by_id(screening.instrument)
        context["screening_name"] = labels.outcome_name(instrument, screening.outcome)
    return context


@login_required
@require_GET
def patient_pathway(request: SignedInRequest, patient_id: str) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="pathway_enrolment")
    context = pathway_context(request.user, patient)
    context["tab"] = "overview"
    return render(request, "pathways/patient.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@performs(actions.enrol_patient)
def enrol(request: SignedInRequest, patient_id: str) -> HttpResponse:
    gp = require(request.user, can_enrol, object_type="pathway_enrolment")
    patient = patient_for_request(request, patient_id, object_type="pathway_enrolment")
    require(gp, is_patients_gp(gp, patient), object_type="pathway_enrolment", patient=patient)
    stored = current_version()
    assert stored is not None  # noqa: S101 - installed by the migration
    pathway = stored.definition
    instrument = instrument_by_id(pathway.instrument)
    form = EnrolForm(request.POST or None, pathway=pathway, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = actions.enrol_patient(
                user=gp,
                patient_id=patient.pk,
                enrolled_on=form.cleaned_data["enrolled_on"],
                level=form.cleaned_data["level"] or None,
                level_reason=form.cleaned_data["level_reason"],
                answers=form.answers(),
            )
        except ValidationError as error:
            apply_errors(form, error, fields={"answers": "__all__"})
        else:
            messages.success(request, _("The patient is enrolled in the pathway."))
            return _patient_page(enrolment)
    return _form_page(
        request,
        form,
        {
            "patient": patient,
            "title": _("Enrol in the low back pain pathway"),
            "instrument": instrument,
            "period": labels.period(instrument),
            "pathway": pathway,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@performs(actions.set_level)
def level(request: SignedInRequest, patient_id: str) -> HttpResponse:
    gp, enrolment = _coordinated_enrolment(request, patient_id)
    pathway = enrolment.pathway.definition
    instrument = instrument_by_id(pathway.instrument)
    form = LevelForm(
        request.POST or None,
        pathway=pathway,
        instrument=instrument,
        initial={"version": enrolment.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_level(
                user=gp,
                patient_id=enrolment.patient_id,
                expected_version=form.cleaned_data["version"],
                level=form.cleaned_data["level"] or None,
                level_reason=form.cleaned_data["level_reason"],
                answers=form.answers(),
            )
        except ValidationError as error:
            apply_errors(form, error, fields={"answers": "__all__"})
        else:
            messages.success(request, _("The level is saved."))
            return _patient_page(enrolment)
    return _form_page(
        request,
        form,
        {
            "patient": enrolment.patient,
            "title": _("Change the level"),
            "instrument": instrument,
            "period": labels.period(instrument),
            "pathway": pathway,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@performs(actions.involve_organisation)
def involve(request: SignedInRequest, patient_id: str) -> HttpResponse:
    gp, enrolment = _coordinated_enrolment(request, patient_id)
    pathway = enrolment.pathway.definition
    region_id = gp.organisation.region_id if gp.organisation else None
    targets = [
        (stage, org)
        for stage in pathway.stages_for(enrolment.level)
        if stage.owner != pathway.coordinator
        for org in organisations_for_stage(stage, region_id)
    ]
    form = InvolveForm(
        request.POST or None, targets=targets, initial={"version": enrolment.version}
    )
    if request.method == "POST" and form.is_valid():
        stage, organisation = form.chosen_target()
        try:
            actions.involve_organisation(
                user=gp,
                patient_id=enrolment.patient_id,
                expected_version=form.cleaned_data["version"],
                stage=stage,
                organisation_id=organisation,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error, fields={"stage": "target", "organisation": "target"})
        else:
            messages.success(
                request, _("The organisation is involved and can now see the patient.")
            )
            return _patient_page(enrolment)
    return _form_page(
        request,
        form,
        {
            "patient": enrolment.patient,
            "title": _("Involve an organisation"),
            "intro": _(
                "The organisation gets access to the patient's record and is asked to report the "
                "start, plan and end of its part back to you. Only the stages of the patient's "
                "level are offered."
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@performs(actions.end_enrolment)
def end(request: SignedInRequest, patient_id: str) -> HttpResponse:
    gp, enrolment = _coordinated_enrolment(request, patient_id)
    form = EndEnrolmentForm(
        request.POST or None,
        initial={"version": enrolment.version, "ended_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_enrolment(
                user=gp,
                patient_id=enrolment.patient_id,
                expected_version=form.cleaned_data["version"],
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The pathway has ended."))
            return _patient_page(enrolment)
    return _form_page(request, form, {"patient": enrolment.patient, "title": _("End the pathway")})


@login_required
@require_http_methods(["GET", "POST"])
@performs(actions.start_part)
def part_start(request: SignedInRequest, patient_id: str) -> HttpResponse:
    reporter = require(request.user, can_report, object_type="pathway_part")
    enrolment = enrolment_for_request(request, patient_id)
    pathway = enrolment.pathway.definition
    kind = reporter.organisation.kind if reporter.organisation else ""
    form = StartForm(request.POST or None, stages=list(pathway.stages_owned_by(kind)))
    if request.method == "POST" and form.is_valid():
        try:
            actions.start_part(
                user=reporter,
                patient_id=enrolment.patient_id,
                stage=form.cleaned_data["stage"],
                started_on=form.cleaned_data["started_on"],
                plan=form.cleaned_data["plan"],
            )
        except ValidationError as error:
            apply_errors(form, error, fields={"on": "started_on", "text": "plan"})
        else:
            messages.success(request, _("The start is reported to the GP."))
            return _patient_page(enrolment)
    return _form_page(
        request,
        form,
        {"patient": enrolment.patient, "title": _("Report the start of your part")},
    )


def _own_part(
    request: SignedInRequest, patient_id: str, part_id: int
) -> tuple[Any, Enrolment, Part]:
    reporter = require(request.user, can_report, object_type="pathway_part")
    enrolment = enrolment_for_request(request, patient_id)
    part = part_of(enrolment, part_id)
    require(
        reporter,
        part.organisation_id == reporter.organisation_id,
        object_type="pathway_part",
        object_id=str(part.pk),
        patient=enrolment.patient,
    )
    return reporter, enrolment, part


@login_required
@require_http_methods(["GET", "POST"])
@performs(actions.report_plan)
def part_plan(request: SignedInRequest, patient_id: str, part_id: int) -> HttpResponse:
    reporter, enrolment, part = _own_part(request, patient_id, part_id)
    form = PlanForm(request.POST or None, initial={"version": part.version, "plan": part.plan})
    if request.method == "POST" and form.is_valid():
        try:
            actions.report_plan(
                user=reporter,
                patient_id=enrolment.patient_id,
                part_id=part.pk,
                expected_version=form.cleaned_data["version"],
                plan=form.cleaned_data["plan"],
            )
        except ValidationError as error:
            apply_errors(form, error, fields={"text": "plan"})
        else:
            messages.success(request, _("The plan is reported to the GP."))
            return _patient_page(enrolment)
    return _form_page(
        request,
        form,
        {"patient": enrolment.patient, "title": _("Report the plan of your part"), "part": part},
    )


@login_required
@require_http_methods(["GET", "POST"])
@performs(actions.end_part)
def part_end(request: SignedInRequest, patient_id: str, part_id: int) -> HttpResponse:
    reporter, enrolment, part = _own_part(request, patient_id, part_id)
    form = EndPartForm(
        request.POST or None, initial={"version": part.version, "ended_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_part(
                user=reporter,
                patient_id=enrolment.patient_id,
                part_id=part.pk,
                expected_version=form.cleaned_data["version"],
                ended_on=form.cleaned_data["ended_on"],
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as error:
            apply_errors(form, error, fields={"on": "ended_on", "text": "outcome"})
        else:
            messages.success(request, _("The end is reported to the GP."))
            return _patient_page(enrolment)
    return _form_page(
        request,
        form,
        {"patient": enrolment.patient, "title": _("Report the end of your part"), "part": part},
    )
