"""Every URL × every persona. A new URL without a rule here fails the suite."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from config.api import api
from smertespor.advice.tests.factories import matrix_objects
from smertespor.centres.models import DischargeSummary as CentreDischargeSummary
from smertespor.centres.tests.factories import matrix_centre_ids
from smertespor.medication.models import ConversionTableVersion, MedicationLine
from smertespor.notifications.services import notify

PERSONAS = [
    "anonymous",
    "gp",
    "other_gp",
    "practice_nurse",
    "clinic_doctor",
    "clinic_nurse",
    "secretary",
    "hospital_doctor",
    "planner",
    "admin",
]
# The GP's own patient is seen by the practice it is listed at.
PATIENT_READERS = {"gp", "practice_nurse"}
PRACTICE_STAFF = {"gp", "other_gp", "practice_nurse"}
# The pain clinic: its doctor and nurse treat and advise; its secretary works beside them
# (clinic staff: organises teaching, sees the clinic's worklist) but decides nothing clinical.
CLINIC_CLINICIANS = {"clinic_doctor", "clinic_nurse"}
CLINIC_STAFF = CLINIC_CLINICIANS | {"secretary"}
# A hospital department's doctor (the spine centre): sees only the patients in the
# department's care (none of the matrix's, unless a department URL made a contact), asks
# for advice and takes part in teaching as a GP does; no practice-track work.
HOSPITAL = {"hospital_doctor"}
CLINICAL = PRACTICE_STAFF | CLINIC_STAFF | HOSPITAL
WORKLIST_USERS = PRACTICE_STAFF | CLINIC_STAFF
LOGGED_IN = set(PERSONAS) - {"anonymous"}
EVERYONE = set(PERSONAS)
ADVICE_ASKERS = {"gp", "other_gp", "practice_nurse"} | HOSPITAL
ADVICE_USERS = ADVICE_ASKERS | CLINIC_CLINICIANS
# The matrix's advice request comes from the GP's practice and went to the clinic.
ADVICE_PARTIES = {"gp", "practice_nurse"} | CLINIC_CLINICIANS
TEACHING_USERS = PRACTICE_STAFF | CLINIC_STAFF | HOSPITAL  # no planners, no admin
# Who signs up, cancels, gives feedback (the matrix's booked and past sessions have them all).
PARTICIPANTS = PRACTICE_STAFF | HOSPITAL
# The hospital-track course of the GP's patient is run by the clinic (see _hospital_ids);
# only the clinic's doctor writes the discharge summary.
HOSPITAL_TEAM = CLINIC_CLINICIANS
DISCHARGERS = {"clinic_doctor"}
# The matrix's referrals go from the GP's practice to the pain clinic (a pain clinic receives
# referrals as a pain centre does; another centre is refused in referrals/tests).
REFERRAL_PARTIES = {"gp", "practice_nurse"} | CLINIC_STAFF
REFERRAL_USERS = {"gp", "other_gp", "practice_nurse"} | CLINIC_STAFF
REFERRAL_COUNTS = CLINIC_STAFF | {"planner", "admin"}
# Body values filled in when the test runs.
PATIENT_ID = "<patient id>"
RECIPIENT_ID = "<referral recipient id>"
FORWARD_TO_ID = "<another recipient id>"
CLINIC_DOCTOR_ID = "<clinic doctor id>"
SUBJECT_ID = "<role change subject id>"
SUBJECT_PRACTICE_ID = "<role change subject's practice id>"
TEACHING_DAY = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()

# url name -> (method, body, personas allowed). Patient URLs point at the GP's own patient.
PAGE_RULES: dict[str, tuple[str, dict[str, str] | None, set[str]]] = {
    "home": ("GET", None, LOGGED_IN),
    "healthz": ("GET", None, EVERYONE),
    "overview": ("GET", None, {"planner", "admin"}),
    # Measures (evaluation): planners see the region's suppressed figures, a practice its own.
    "evaluation:measures_region": ("GET", None, {"planner", "admin"}),
    "evaluation:measures_detail": ("GET", None, {"planner", "admin"}),
    "evaluation:measures_practice": ("GET", None, {"planner", "admin"}),
    "evaluation:measures_own": ("GET", None, PRACTICE_STAFF),
    "evaluation:measures_own_measure": ("GET", None, PRACTICE_STAFF),
    "evaluation:measures_own_patients": ("GET", None, PRACTICE_STAFF),
    "login": ("GET", None, EVERYONE),
    "logout": ("POST", {}, EVERYONE),
    "set_language": ("POST", {"language": "en"}, EVERYONE),
    "patients:list": ("GET", None, CLINICAL),
    "patients:search": ("POST", {"query": "Birthe"}, CLINICAL),
    "patients:create": ("GET", None, PRACTICE_STAFF),
    "patients:detail": ("GET", None, PATIENT_READERS),
    "patients:edit": ("GET", None, PATIENT_READERS),
    "patients:history": ("GET", None, PATIENT_READERS),
    "patients:access_log": ("GET", None, PATIENT_READERS),
    # The other practice's request to register the GP's patient (see `registration_request_id`):
    # decided by the patient's practice. Any practice's staff may open their (own) list.
    "patients:registration_requests": ("GET", None, PRACTICE_STAFF),
    "patients:registration_request": ("GET", None, PATIENT_READERS),
    "patients:registration_request_transfer": (
        "POST",
        {"transfer-reason": "Matrix", "transfer-version": "1"},
        PATIENT_READERS,
    ),
    "patients:registration_request_decline": (
        "POST",
        {"decline-reason": "Matrix", "decline-version": "1"},
        PATIENT_READERS,
    ),
    "medication:calculator": ("GET", None, CLINICAL),
    "medication:calculator_compare": ("GET", None, CLINICAL),
    "medication:patient": ("GET", None, PATIENT_READERS),
    "medication:add_line": ("GET", None, PATIENT_READERS),
    "medication:change_line": ("GET", None, PATIENT_READERS),
    "medication:end_line": ("POST", {"ended_on": "2000-01-01"}, PATIENT_READERS),
    "medication:line_history": ("GET", None, PATIENT_READERS),
    "medication:patient_compare": ("GET", None, PATIENT_READERS),
    "medication:tables": ("GET", None, {"admin"}),
    "medication:table_detail": ("GET", None, {"admin"}),
    "medication:table_copy": ("POST", {"table_id": "nordic", "version": "matrix-1"}, {"admin"}),
    "medication:table_edit": ("GET", None, {"admin"}),
    "medication:table_sign_off": ("POST", {}, {"admin"}),
    "teaching:list": ("GET", None, TEACHING_USERS),
    "teaching:create": ("GET", None, CLINIC_STAFF),
    "teaching:mine": ("GET", None, PARTICIPANTS),
    "teaching:hours": ("GET", None, CLINIC_STAFF),
    "teaching:reach": ("GET", None, CLINIC_STAFF | {"planner"}),
    "teaching:need": ("GET", None, CLINIC_STAFF),
    "teaching:detail": ("GET", None, TEACHING_USERS),
    "teaching:edit": ("GET", None, CLINIC_STAFF),
    "teaching:register": ("POST", {}, PARTICIPANTS),
    "teaching:cancel": ("POST", {}, PARTICIPANTS),
    "teaching:calendar": ("GET", None, TEACHING_USERS),
    "teaching:feedback": ("GET", None, PARTICIPANTS),
    "teaching:attendance": ("GET", None, CLINIC_STAFF),
    "teaching:invite": ("GET", None, CLINIC_STAFF),
    "teaching:material_add": ("GET", None, CLINIC_STAFF),
    "teaching:material": ("GET", None, TEACHING_USERS),
    "teaching:material_delete": ("POST", {}, CLINIC_STAFF),
    "teaching:certificate": ("GET", None, {"gp"} | CLINIC_STAFF),
    "tracks:worklist": ("GET", None, WORKLIST_USERS),
    "tracks:practice_worklist": ("GET", None, PRACTICE_STAFF),
    "tracks:clinic_worklist": ("GET", None, CLINIC_STAFF),
    "tracks:patient_courses": ("GET", None, PATIENT_READERS),
    "tracks:course_create": ("GET", None, {"gp"}),
    "tracks:course_detail": ("GET", None, PATIENT_READERS),
    "tracks:follow_up_create": ("GET", None, PATIENT_READERS),
    "tracks:course_step": (
        "POST",
        {"event": "hand_over_early", "reason": "Matrix", "version": "1"},
        {"gp"},
    ),
    "tracks:handover": ("GET", None, PATIENT_READERS),
    "tracks:alert_acknowledge": ("POST", {}, PATIENT_READERS),
    # The 3-month rule's proposal (see PROPOSED): read by the practice, decided by its GP.
    "tracks:proposal": ("GET", None, PATIENT_READERS),
    "tracks:proposal_confirm": ("POST", {"confirm-version": "1"}, {"gp"}),
    "tracks:proposal_dismiss": (
        "POST",
        {"dismiss-version": "1", "dismiss-reason": "Matrix"},
        {"gp"},
    ),
    # The clinic's pages on the hospital-track course of the GP's patient.
    "tracks:needs_assessment": ("GET", None, HOSPITAL_TEAM),
    "tracks:course_plan": ("GET", None, HOSPITAL_TEAM),
    "tracks:team_member_add": (
        "POST",
        {"team-user": CLINIC_DOCTOR_ID, "team-discipline": "doctor"},
        HOSPITAL_TEAM,
    ),
    "tracks:appointment_add": (
        "POST",
        {
            "appointment-starts_at": "2099-01-02T10:00",
            "appointment-duration_minutes": "45",
            "appointment-discipline": "doctor",
        },
        HOSPITAL_TEAM,
    ),
    "tracks:team_member_remove": ("POST", {"reason": "Matrix"}, HOSPITAL_TEAM),
    "tracks:appointment_cancel": ("POST", {"reason": "Matrix"}, HOSPITAL_TEAM),
    "tracks:course_complete": ("GET", None, DISCHARGERS),
    # The pain centre course of the GP's patient (see matrix_centre_ids): run by a centre none
    # of these personas works at, so only the practice reads (and marks received) the summary
    # sent to it. Centre staff, another centre and the GP's course pages are tried in
    # smertespor/centres/tests/test_access.py.
    "centres:worklist": ("GET", None, set()),
    "centres:course_create": ("GET", None, set()),
    "centres:course_detail": ("GET", None, set()),
    "centres:course_step": (
        "POST",
        {"step-event": "cancel", "step-reason": "Matrix", "step-version": "1"},
        set(),
    ),
    "centres:team_add": ("POST", {}, set()),
    "centres:team_remove": ("POST", {"reason": "Matrix"}, set()),
    "centres:module_add": ("POST", {"module-code": "cbt_group"}, set()),
    "centres:module_taper_plan": ("POST", {}, set()),
    "centres:appointment_add": ("POST", {}, set()),
    "centres:appointment_record": ("POST", {"outcome": "cancel", "version": "1"}, set()),
    "centres:outcome_add": ("GET", None, set()),
    "centres:discharge": ("GET", None, set()),
    "centres:summary": ("GET", None, PATIENT_READERS),
    "centres:summary_acknowledge": ("POST", {}, PATIENT_READERS),
    "advice:list": ("GET", None, ADVICE_USERS),
    "advice:create": ("GET", None, ADVICE_ASKERS),
    "advice:telephone": ("GET", None, CLINIC_CLINICIANS),
    "advice:counts": ("GET", None, CLINIC_CLINICIANS | {"planner", "admin"}),
    "advice:patient_requests": ("GET", None, PATIENT_READERS),
    "advice:create_for_patient": ("GET", None, PATIENT_READERS),
    "advice:detail": ("GET", None, ADVICE_PARTIES),
    "advice:reply": ("POST", {"body": "A follow-up"}, ADVICE_PARTIES),
    "advice:assign": ("POST", {}, CLINIC_CLINICIANS),
    "advice:close": ("GET", None, {"gp", "practice_nurse"}),
    "advice:article_create": ("GET", None, CLINIC_CLINICIANS),
    "advice:attachment": ("GET", None, ADVICE_PARTIES),
    "advice:articles": ("GET", None, CLINICAL),
    "advice:article_check": ("POST", {"body": "x"}, CLINIC_CLINICIANS),
    "advice:article_detail": ("GET", None, CLINICAL),
    "advice:article_edit": ("GET", None, CLINIC_CLINICIANS),
    "advice:article_submit": ("POST", {}, CLINIC_CLINICIANS),
    "advice:article_approve": ("POST", {}, CLINIC_CLINICIANS),
    "referrals:list": ("GET", None, REFERRAL_USERS),
    "referrals:counts": ("GET", None, REFERRAL_COUNTS),
    "referrals:create": ("GET", None, {"gp"}),
    "referrals:detail": ("GET", None, REFERRAL_PARTIES),
    # The catalogue's CSV import (interop): administrators, as the catalogue's own import.
    "interop:catalogue_csv": ("GET", None, {"admin"}),
    # Imports register patients at the importer's practice: practice staff who record medication.
    "interop:medication_csv": ("GET", None, PRACTICE_STAFF),
    "interop:fhir_import": ("GET", None, PRACTICE_STAFF),
    # What can leave: clinicians who see the patient (a secretary may not take it with them).
    "interop:patient_exchange": ("GET", None, PATIENT_READERS),
    "referrals:edit": ("GET", None, {"gp"}),
    "referrals:send": ("POST", {"exception_reason": ""}, {"gp"}),
    "referrals:message": ("POST", {"body": "Matrix"}, REFERRAL_PARTIES),
    "referrals:withdraw": ("POST", {"reason": "Matrix"}, {"gp"}),
    "referrals:triage": ("POST", {}, CLINIC_CLINICIANS),
    "referrals:request_information": ("POST", {"question": "Matrix?"}, CLINIC_CLINICIANS),
    "referrals:accept": (
        "POST",
        {"priority": "routine", "expected_wait_weeks": "4"},
        CLINIC_CLINICIANS,
    ),
    "referrals:reject": (
        "POST",
        {"rejection_reason": "capacity", "advice_to_gp": "Matrix"},
        CLINIC_CLINICIANS,
    ),
    "referrals:forward": (
        "POST",
        {"forward_to": FORWARD_TO_ID, "reason": "Matrix"},
        CLINIC_CLINICIANS,
    ),
    "referrals:appointment": (
        "POST",
        {"appointment_at": "2099-01-05T10:00"},
        CLINIC_CLINICIANS | {"secretary"},
    ),
    "referrals:attachment": ("GET", None, REFERRAL_PARTIES),
    # The criteria's versions: planners and administrators read them, administrators publish.
    "referrals:criteria_versions": ("GET", None, {"planner", "admin"}),
    "referrals:criteria_version": ("GET", None, {"planner", "admin"}),
    "referrals:criteria_publish": ("GET", None, {"admin"}),
    "notifications:list": ("GET", None, LOGGED_IN),
    "notifications:open": ("POST", {}, {"gp"}),
    "notifications:read_all": ("POST", {}, LOGGED_IN),
    "tapering:patient_plans": ("GET", None, PATIENT_READERS),
    "tapering:plan_create": ("GET", None, {"gp"}),
    "tapering:plan_preview": (
        "POST",
        {
            "target_kind": "stop",
            "step_percent": "10",
            "step_basis": "starting_dose",
            "interval_days": "28",
            "start_date": datetime.now(UTC).date().isoformat(),
        },
        {"gp"},
    ),
    "tapering:plan_detail": ("GET", None, PATIENT_READERS),
    "tapering:plan_status": ("POST", {"action": "abandon", "reason": "Matrix"}, {"gp"}),
    "tapering:plan_adjust": ("GET", None, {"gp"}),
    "tapering:plan_handout": ("GET", None, PATIENT_READERS),
    "tapering:plan_handout_pdf": ("GET", None, PATIENT_READERS),
    "tapering:plan_summary": ("GET", None, PATIENT_READERS),
    "tapering:plan_calendar": ("GET", None, PATIENT_READERS),
    # Role changes: administrators propose; a second administrator decides (the matrix's
    # request was proposed by another administrator, see role_request_id).
    # A hospital department's own contacts (see contact_id: one with the GP's patient).
    "departments:contacts": ("GET", None, HOSPITAL),
    "departments:contact_create": ("GET", None, HOSPITAL),
    "departments:contact_end": ("GET", None, HOSPITAL),
    "accounts:role_requests": ("GET", None, {"admin"}),
    "accounts:role_request_create": ("GET", None, {"admin"}),
    "accounts:role_request_approve": ("POST", {}, {"admin"}),
    "accounts:role_request_reject": ("POST", {"note": "Matrix"}, {"admin"}),
    # The low back pain pathway (see PATHWAY_STATES): the GP's patient enrolled, the clinic
    # involved in its pain-clinic stage (so it sees the patient), its part under way.
    "pathways:enrolments": ("GET", None, CLINICAL),
    "pathways:counts": ("GET", None, {"planner", "admin"}),
    "pathways:versions": ("GET", None, LOGGED_IN),
    "pathways:version": ("GET", None, LOGGED_IN),
    "pathways:publish": ("GET", None, {"admin"}),
    "pathways:patient": ("GET", None, PATIENT_READERS | CLINIC_STAFF),
    "pathways:enrol": ("GET", None, {"gp"}),
    "pathways:level": ("GET", None, {"gp"}),
    "pathways:involve": ("GET", None, {"gp"}),
    "pathways:end": ("GET", None, {"gp"}),
    "pathways:part_start": ("GET", None, {"gp", "practice_nurse"} | CLINIC_CLINICIANS),
    "pathways:part_plan": ("GET", None, CLINIC_CLINICIANS),
    "pathways:part_end": ("GET", None, CLINIC_CLINICIANS),
    "admin:*": ("GET", None, {"admin"}),
    "api:*docs": ("GET", None, EVERYONE),
    # The second factor: every signed-in user sets up and passes their own (the gate in
    # front of everything else is tested in accounts/tests/test_mfa.py).
    "accounts:mfa": ("GET", None, LOGGED_IN),
    "accounts:mfa_totp": ("GET", None, LOGGED_IN),
    "accounts:mfa_recovery_codes": ("POST", {}, LOGGED_IN),
    "accounts:mfa_verify": ("GET", None, LOGGED_IN),
    # django-otp-webauthn's passkey ceremonies, tried with the start of a registration; each
    # refuses a signed-out caller (accounts/tests/test_mfa.py tries them all).
    "otp_webauthn:*": ("POST", {}, LOGGED_IN),
    # The capacity forecast and its background job (a finished forecast of the clinic, see
    # _jobs_kwargs): the clinic's staff and planners start one; a job is its organisation's.
    "evaluation:forecast": ("GET", None, CLINIC_STAFF | {"planner"}),
    "evaluation:forecast_result": ("GET", None, CLINIC_STAFF),
    "evaluation:forecast_csv": ("GET", None, CLINIC_STAFF),
    "jobs:detail": ("GET", None, CLINIC_STAFF),
    "jobs:progress": ("GET", None, CLINIC_STAFF),
    # Screening of dispensing data: planners the region's counts, the upload and its job (of
    # the planner's region office); practice staff their own counts; the GP the invitation
    # of a flagged patient of their own (the matrix's finding matches the GP's patient).
    "evaluation:screening": ("GET", None, PRACTICE_STAFF | {"planner", "admin"}),
    "evaluation:screening_csv": ("GET", None, {"planner", "admin"}),
    "evaluation:screening_upload": ("GET", None, {"planner", "admin"}),
    "evaluation:screening_result": ("GET", None, {"planner", "admin"}),
    "evaluation:screening_invite": ("POST", {"patient": PATIENT_ID}, {"gp"}),
    # Recomputing a month's measures (a job of the planner's region office).
    "evaluation:measures_compute": ("GET", None, {"planner", "admin"}),
    "evaluation:measures_result": ("GET", None, {"planner", "admin"}),
}
OMEQ_LINE = {
    "substance": "oxycodone",
    "route": "oral",
    "dose": 10,
    "dose_unit": "mg",
    "doses_per_day": 2,
}
TRACKS_COURSE = "/api/tracks/patients/{patient_id}/courses/{course_id}"
TAPER_PLANS = "/api/tapering/patients/{patient_id}/plans"
REGISTRATION_REQUEST = "/api/patients/registration-requests/{registration_request_id}"
PATHWAY = "/api/pathways/patients/{patient_id}/enrolment"
PATHWAY_CLINIC_ID = "<pathway clinic id>"
CENTRE_COURSE = "/api/centres/patients/{patient_id}/courses/{course_id}"
# "METHOD /api/path" (as in the OpenAPI schema) -> (body, personas allowed)
API_RULES: dict[str, tuple[dict[str, object] | None, set[str]]] = {
    "GET /api/home": (None, LOGGED_IN),
    "GET /api/patients": (None, CLINICAL),
    "POST /api/patients": ({"cpr": "0101801234", "name": "Ny Patient"}, PRACTICE_STAFF),
    "POST /api/patients/search": ({"query": "Birthe"}, CLINICAL),
    "GET /api/patients/{patient_id}": (None, PATIENT_READERS),
    "PATCH /api/patients/{patient_id}": ({"phone": "12345678"}, PATIENT_READERS),
    "GET /api/patients/{patient_id}/access-log": (None, PATIENT_READERS),
    "GET /api/patients/{patient_id}/history": (None, PATIENT_READERS),
    "GET /api/patients/{patient_id}/timeline": (None, PATIENT_READERS),
    "GET /api/patients/registration-requests": (None, PRACTICE_STAFF),
    f"POST {REGISTRATION_REQUEST}/transfer": ({"reason": "Matrix"}, PATIENT_READERS),
    f"POST {REGISTRATION_REQUEST}/decline": ({"reason": "Matrix"}, PATIENT_READERS),
    "GET /api/advice/requests": (None, ADVICE_USERS),
    "POST /api/advice/requests": (
        {"subject": "General", "question": "How?", "category": "other"},
        ADVICE_ASKERS,
    ),
    "GET /api/advice/requests/{request_id}": (None, ADVICE_PARTIES),
    "GET /api/advice/requests/{request_id}/messages": (None, ADVICE_PARTIES),
    "POST /api/advice/requests/{request_id}/messages": ({"body": "More"}, ADVICE_PARTIES),
    "POST /api/advice/requests/{request_id}/assign": ({}, CLINIC_CLINICIANS),
    "POST /api/advice/requests/{request_id}/close": (
        {"outcome": "advice_sufficient"},
        {"gp", "practice_nurse"},
    ),
    "POST /api/advice/requests/{request_id}/articles": (
        {"title": "T", "body": "B", "category": "other"},
        CLINIC_CLINICIANS,
    ),
    "GET /api/advice/counts": (None, CLINIC_CLINICIANS | {"planner", "admin"}),
    "GET /api/advice/articles": (None, CLINICAL),
    "GET /api/advice/articles/{article_id}": (None, CLINICAL),
    "PATCH /api/advice/articles/{article_id}": (
        {"title": "T", "body": "B", "category": "other"},
        CLINIC_CLINICIANS,
    ),
    "POST /api/advice/articles/{article_id}/submit": ({}, CLINIC_CLINICIANS),
    "POST /api/advice/articles/{article_id}/approve": (None, CLINIC_CLINICIANS),
    "POST /api/advice/articles/check": ({"body": "x"}, CLINIC_CLINICIANS),
    "POST /api/advice/practices/{practice_id}/telephone": (
        {"subject": "By phone", "question": "How?", "advice": "Slowly.", "category": "other"},
        CLINIC_CLINICIANS,
    ),
    "GET /api/referrals": (None, REFERRAL_USERS),
    "POST /api/referrals": (
        {"patient_id": PATIENT_ID, "recipient_id": RECIPIENT_ID, "history": "Matrix"},
        {"gp"},
    ),
    "GET /api/referrals/criteria": (None, REFERRAL_USERS),
    "GET /api/referrals/criteria/versions": (None, {"planner", "admin"}),
    "POST /api/referrals/criteria/versions": ({"text": "<criteria file>"}, {"admin"}),
    "GET /api/referrals/recipients": (None, {"gp", "other_gp"}),
    "GET /api/referrals/counts": (None, REFERRAL_COUNTS),
    "GET /api/referrals/{referral_id}": (None, REFERRAL_PARTIES),
    "PUT /api/referrals/{referral_id}": (
        {"recipient_id": RECIPIENT_ID, "history": "Matrix"},
        {"gp"},
    ),
    "POST /api/referrals/{referral_id}/send": ({}, {"gp"}),
    "POST /api/referrals/{referral_id}/withdraw": ({"reason": "Matrix"}, {"gp"}),
    "GET /api/referrals/{referral_id}/messages": (None, REFERRAL_PARTIES),
    "POST /api/referrals/{referral_id}/messages": ({"body": "Matrix"}, REFERRAL_PARTIES),
    "POST /api/referrals/{referral_id}/triage": (None, CLINIC_CLINICIANS),
    "POST /api/referrals/{referral_id}/information-request": (
        {"question": "Matrix?"},
        CLINIC_CLINICIANS,
    ),
    "POST /api/referrals/{referral_id}/accept": (
        {"priority": "routine", "expected_wait_weeks": 4},
        CLINIC_CLINICIANS,
    ),
    "POST /api/referrals/{referral_id}/reject": (
        {"rejection_reason": "capacity", "advice_to_gp": "Matrix"},
        CLINIC_CLINICIANS,
    ),
    "POST /api/referrals/{referral_id}/forward": (
        {"to_id": FORWARD_TO_ID, "reason": "Matrix"},
        CLINIC_CLINICIANS,
    ),
    "POST /api/referrals/{referral_id}/first-appointment": (
        {"at": "2099-01-05T10:00:00Z"},
        CLINIC_CLINICIANS | {"secretary"},
    ),
    "GET /api/notifications": (None, LOGGED_IN),
    "POST /api/notifications/{notification_id}/read": (None, {"gp"}),
    "POST /api/notifications/read-all": (None, LOGGED_IN),
    "GET /api/teaching/sessions": (None, TEACHING_USERS),
    "POST /api/teaching/sessions": (
        {
            "title": "Matrix",
            "topics": ["other"],
            "audience": ["gps"],
            "starts_at": f"{TEACHING_DAY}T12:00:00+01:00",
            "ends_at": f"{TEACHING_DAY}T13:00:00+01:00",
            "location": "Silkeborg",
            "capacity": 10,
        },
        CLINIC_STAFF,
    ),
    "GET /api/teaching/sessions/{session_id}": (None, TEACHING_USERS),
    "PATCH /api/teaching/sessions/{session_id}": ({"capacity": 25}, CLINIC_STAFF),
    "GET /api/teaching/sessions/{session_id}/registrations": (None, CLINIC_STAFF),
    "POST /api/teaching/sessions/{session_id}/registration": (None, PARTICIPANTS),
    "GET /api/teaching/sessions/{session_id}/registration": (None, PARTICIPANTS),
    "DELETE /api/teaching/sessions/{session_id}/registration": (None, PARTICIPANTS),
    "PUT /api/teaching/sessions/{session_id}/attendance": ({"attendance": []}, CLINIC_STAFF),
    "POST /api/teaching/sessions/{session_id}/feedback": ({"rating": 4}, PARTICIPANTS),
    # The practice to invite and the file to upload come from _teaching_body.
    "POST /api/teaching/sessions/{session_id}/invitations": (None, CLINIC_STAFF),
    "GET /api/teaching/sessions/{session_id}/materials": (None, TEACHING_USERS),
    "POST /api/teaching/sessions/{session_id}/materials/links": (
        {"title": "Vejledning", "url": "https://www.sst.dk/vejledning"},
        CLINIC_STAFF,
    ),
    "POST /api/teaching/sessions/{session_id}/materials/files": (None, CLINIC_STAFF),
    "DELETE /api/teaching/materials/{material_id}": (None, CLINIC_STAFF),
    "GET /api/teaching/hours/mine": (None, PARTICIPANTS),
    "POST /api/omeq": ({"factor_set": "cdc-2022", "lines": [OMEQ_LINE]}, CLINICAL),
    "GET /api/omeq/factor-sets": (None, LOGGED_IN),
    "POST /api/omeq/factor-sets": (
        {
            "source": {"id": "cdc-2022", "version": "2022.1"},
            "table_id": "cdc-2022",
            "version": "matrix-1",
        },
        {"admin"},
    ),
    # The path names no stored draft, so the administrator gets 404 too (tested with a draft
    # in medication/tests/test_factor_sets_api.py); everyone else is refused first (403).
    "PUT /api/omeq/factor-sets/{table_id}/{version}": (
        {"title": "T", "source": "S", "published": "2022-11-04", "rules": []},
        set(),
    ),
    # The draft another administrator made (medication_ids): the matrix's admin may sign it
    # off; drafters, clinicians with the permission and stale or unconfirmed sign-offs are
    # tested in medication/tests/test_table_sign_off.py.
    "PUT /api/omeq/active-factor-set": (
        {
            "id": "cdc-2022",
            "version": "matrix-draft",
            "revision": 0,
            "confirm": "cdc-2022 matrix-draft",
        },
        {"admin"},
    ),
    # As for the edit above: the path names no stored version, so the administrator gets 404
    # (the impact of a real draft is tested in medication/tests/test_table_sign_off.py).
    "GET /api/omeq/factor-sets/{table_id}/{version}/impact": (None, set()),
    "GET /api/omeq/products": (None, LOGGED_IN),
    "POST /api/omeq/products": (
        {
            "csv_text": "id,name,brands,atc,category,form,route,release,unit,strengths,"
            "strength_labels,substance,other_ingredients,splittable,patch_change_hours,"
            "is_substitution,note\nmatrix-oxycodone,Matrix,,N02AA05,opioid,depot_tablet,oral,"
            "modified,mg,15,,oxycodone,,false,,false,\n"
        },
        {"admin"},
    ),
    # A pain centre's discharge summary as a message (the matrix patient's discharged course).
    "GET /api/fhir/Patient/{patient_id}/centre-discharge-summaries/{summary_id}/$message": (
        None,
        PATIENT_READERS,
    ),
    # The whole record and each letter as FHIR (interop): exporting clinicians in scope.
    "GET /api/fhir/Patient/{patient_id}/$everything": (None, PATIENT_READERS),
    "GET /api/fhir/Patient/{patient_id}/handovers/{handover_id}/$message": (None, PATIENT_READERS),
    "GET /api/fhir/Patient/{patient_id}/discharge-summaries/{summary_id}/$message": (
        None,
        PATIENT_READERS,
    ),
    # The referral went to the pain clinic, whose clinicians may take the message too.
    "GET /api/fhir/Patient/{patient_id}/referrals/{referral_id}/$message": (
        None,
        PATIENT_READERS | CLINIC_CLINICIANS,
    ),
    # Imports: JSON bodies that are refused per entry or row still answer 200 with the report.
    "POST /api/fhir/import": (
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {
                    "resource": {
                        "resourceType": "Patient",
                        "identifier": [
                            {"system": "urn:oid:1.2.208.176.1.2", "value": "0101701234"}
                        ],
                        "name": [{"text": "Matrix Importsen"}],
                    }
                }
            ],
        },
        PRACTICE_STAFF,
    ),
    "POST /api/interop/medication-csv/preview": (None, PRACTICE_STAFF),
    "POST /api/interop/medication-csv/import": (None, PRACTICE_STAFF),
    # The body is the CSV file itself (see _catalogue_csv_body), not JSON.
    "POST /api/interop/catalogue-csv/preview": (None, {"admin"}),
    "POST /api/interop/catalogue-csv/import": (None, {"admin"}),
    "GET /api/patients/{patient_id}/medication": (None, PATIENT_READERS),
    "POST /api/patients/{patient_id}/medication": (
        {"product_id": "morphine-depot-tablet", "strength": "30", "doses_per_day": 2},
        PATIENT_READERS,
    ),
    "GET /api/patients/{patient_id}/medication/{line_id}": (None, PATIENT_READERS),
    "PATCH /api/patients/{patient_id}/medication/{line_id}": ({"note": "x"}, PATIENT_READERS),
    "POST /api/patients/{patient_id}/medication/{line_id}/end": ({}, PATIENT_READERS),
    "GET /api/patients/{patient_id}/medication/history": (None, PATIENT_READERS),
    "GET /api/tracks/patients/{patient_id}/courses": (None, PATIENT_READERS),
    "POST /api/tracks/patients/{patient_id}/courses": (
        {
            "baseline_peg": [6, 6, 6],
            "baseline_nrs": 6,
            "goal_kind": "stop",
            "follow_up_interval_days": 28,
        },
        {"gp"},
    ),
    "GET /api/tracks/patients/{patient_id}/timeline": (None, PATIENT_READERS),
    f"GET {TRACKS_COURSE}": (None, PATIENT_READERS),
    f"GET {TRACKS_COURSE}/follow-ups": (None, PATIENT_READERS),
    f"POST {TRACKS_COURSE}/follow-ups": ({"nrs": 5}, PATIENT_READERS),
    f"POST {TRACKS_COURSE}/decisions": (
        {"event": "hand_over_early", "reason": "Matrix"},
        {"gp"},
    ),
    f"GET {TRACKS_COURSE}/timeline": (None, PATIENT_READERS),
    f"GET {TRACKS_COURSE}/reviews": (None, PATIENT_READERS),
    f"POST {TRACKS_COURSE}/proposal/confirm": ({}, {"gp"}),
    f"POST {TRACKS_COURSE}/proposal/dismiss": ({"reason": "Matrix"}, {"gp"}),
    f"GET {TRACKS_COURSE}/handover": (None, PATIENT_READERS),
    f"PUT {TRACKS_COURSE}/handover": ({}, set()),  # no handover yet: 404
    f"POST {TRACKS_COURSE}/alerts/{{alert_id}}/acknowledge": (None, PATIENT_READERS),
    # The clinic's operations on the hospital-track course of the GP's patient.
    f"POST {TRACKS_COURSE}/needs-assessment": (
        {"disciplines": ["doctor"], "interventions": ["cbt_group"]},
        HOSPITAL_TEAM,
    ),
    f"POST {TRACKS_COURSE}/team": (
        {"user_id": CLINIC_DOCTOR_ID, "discipline": "doctor"},
        HOSPITAL_TEAM,
    ),
    f"POST {TRACKS_COURSE}/appointments": (
        {"starts_at": "2099-01-02T10:00:00Z", "duration_minutes": 45, "discipline": "doctor"},
        HOSPITAL_TEAM,
    ),
    f"POST {TRACKS_COURSE}/team/{{member_id}}/remove": ({"reason": "Matrix"}, HOSPITAL_TEAM),
    f"POST {TRACKS_COURSE}/appointments/{{appointment_id}}/cancel": (
        {"reason": "Matrix"},
        HOSPITAL_TEAM,
    ),
    f"POST {TRACKS_COURSE}/plan": ({"plan_note": "Plan"}, HOSPITAL_TEAM),
    f"POST {TRACKS_COURSE}/discharge-summary": (
        {"summary": "S", "recommendations": "R"},
        DISCHARGERS,
    ),
    # The pain centre (see the page rules above): the catalogue for everyone signed in, counts
    # for planners, the summary for the practice it was sent to.
    "GET /api/centres/catalogue": (None, LOGGED_IN),
    "GET /api/centres/worklist": (None, set()),
    "GET /api/centres/counts": (None, {"planner", "admin"}),
    "GET /api/centres/summaries/new": (None, PRACTICE_STAFF),
    "GET /api/centres/patients/{patient_id}/courses": (None, set()),
    "POST /api/centres/patients/{patient_id}/courses": (
        {"goals": "Matrix", "planned_start": "2030-01-01"},
        set(),
    ),
    f"GET {CENTRE_COURSE}": (None, set()),
    f"POST {CENTRE_COURSE}/steps": ({"event": "cancel", "reason": "Matrix"}, set()),
    f"POST {CENTRE_COURSE}/team": ({"user_id": 1, "discipline": "doctor"}, set()),
    f"POST {CENTRE_COURSE}/team/{{member_id}}/remove": ({"reason": "Matrix"}, set()),
    f"POST {CENTRE_COURSE}/modules": ({"code": "cbt_group"}, set()),
    f"PUT {CENTRE_COURSE}/modules/{{module_id}}/taper-plan": ({"taper_plan_id": 1}, set()),
    f"POST {CENTRE_COURSE}/appointments": (
        {"starts_at": "2099-01-01T10:00:00Z", "duration_minutes": 45, "clinician_id": 1},
        set(),
    ),
    f"POST {CENTRE_COURSE}/appointments/{{appointment_id}}/record": ({"outcome": "cancel"}, set()),
    f"POST {CENTRE_COURSE}/outcomes": (
        {
            "instrument": "nrs",
            "timepoint": "follow_up",
            "answers": {"nrs": 5},
            "measured_on": "2020-01-01",
        },
        set(),
    ),
    f"GET {CENTRE_COURSE}/discharge-summary": (None, PATIENT_READERS),
    f"POST {CENTRE_COURSE}/discharge-summary": ({"course_summary": "S", "plan_after": "P"}, set()),
    f"POST {CENTRE_COURSE}/discharge-summary/acknowledge": (None, PATIENT_READERS),
    "POST /api/tapering/patients/{patient_id}/preview": ({}, {"gp"}),
    f"POST {TAPER_PLANS}": ({}, {"gp"}),
    f"GET {TAPER_PLANS}": (None, PATIENT_READERS),
    f"GET {TAPER_PLANS}/{{plan_id}}": (None, PATIENT_READERS),
    f"POST {TAPER_PLANS}/{{plan_id}}/status": ({"action": "abandon", "reason": "Matrix"}, {"gp"}),
    f"POST {TAPER_PLANS}/{{plan_id}}/adjust": ({"reason": "Matrix"}, {"gp"}),
    "GET /api/tracks/worklists/practice": (None, PRACTICE_STAFF),
    "GET /api/tracks/worklists/clinic": (None, CLINIC_STAFF),
    "GET /api/pathways/versions": (None, LOGGED_IN),
    "POST /api/pathways/versions": ({"text": "<pathway file>"}, {"admin"}),
    "GET /api/pathways/versions/{version_id}": (None, LOGGED_IN),
    "GET /api/pathways/instrument": (None, LOGGED_IN),
    "GET /api/pathways/enrolments": (None, CLINICAL),
    "GET /api/pathways/counts": (None, {"planner", "admin"}),
    f"GET {PATHWAY}": (None, PATIENT_READERS | CLINIC_STAFF),
    f"POST {PATHWAY}": ({"level": "high", "level_reason": "Matrix"}, {"gp"}),
    f"POST {PATHWAY}/level": ({"level": "medium", "level_reason": "Matrix"}, {"gp"}),
    f"POST {PATHWAY}/involvements": (
        {"stage": "pain_clinic", "organisation_id": PATHWAY_CLINIC_ID},
        {"gp"},
    ),
    f"POST {PATHWAY}/end": ({"reason": "Matrix"}, {"gp"}),
    f"POST {PATHWAY}/parts": ({"stage": "pain_clinic"}, CLINIC_CLINICIANS),
    f"POST {PATHWAY}/parts/{{part_id}}/plan": ({"plan": "Matrix"}, CLINIC_CLINICIANS),
    f"POST {PATHWAY}/parts/{{part_id}}/end": ({"outcome": "Matrix"}, CLINIC_CLINICIANS),
    "GET /api/accounts/role-requests": (None, {"admin"}),
    "POST /api/accounts/role-requests": (
        {
            "user_id": SUBJECT_ID,
            "role": "practice_nurse",
            "organisation_id": SUBJECT_PRACTICE_ID,
            "reason": "Matrix",
        },
        {"admin"},
    ),
    "GET /api/departments/contacts": (None, HOSPITAL),
    "POST /api/evaluation/forecast": (
        {"slots_per_month": 10, "runs": 100},
        CLINIC_STAFF | {"planner"},
    ),
    "GET /api/evaluation/forecast/{job_id}": (None, CLINIC_STAFF),
    # Any valid contact is answered 202, whatever the number (no CPR oracle).
    "POST /api/departments/contacts": (
        {"cpr": "0101801234", "name": "Ny Patient", "kind": "admission", "reason": "Matrix"},
        HOSPITAL,
    ),
    "GET /api/departments/contacts/{contact_id}": (None, HOSPITAL),
    "POST /api/departments/contacts/{contact_id}/end": ({}, HOSPITAL),
    "POST /api/accounts/role-requests/{role_request_id}/approve": (None, {"admin"}),
    "POST /api/accounts/role-requests/{role_request_id}/reject": ({"note": "Matrix"}, {"admin"}),
    "GET /api/evaluation/measures/region": (None, PRACTICE_STAFF | {"planner", "admin"}),
    "POST /api/evaluation/measures/compute": ({"month": "2026-05"}, {"planner", "admin"}),
    "GET /api/evaluation/measures/jobs/{job_id}": (None, {"planner", "admin"}),
    "GET /api/evaluation/screening/counts": (None, PRACTICE_STAFF | {"planner", "admin"}),
    "GET /api/evaluation/screening/patients": (None, {"gp", "other_gp"}),
    "POST /api/evaluation/screening/extracts": (None, {"planner", "admin"}),
    "GET /api/evaluation/screening/jobs/{job_id}": (None, {"planner", "admin"}),
    "POST /api/evaluation/screening/findings/{finding_id}/invite": (
        {"patient_id": PATIENT_ID},
        {"gp"},
    ),
    # The GP's practice: its own staff in full, planners suppressed; the other GP is refused.
    "GET /api/evaluation/measures/practices/{practice_id}": (
        None,
        {"gp", "practice_nurse", "planner", "admin"},
    ),
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from _walk(entry.url_patterns, prefix + namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


def _rule_key(name: str) -> str | None:
    if name in PAGE_RULES:
        return name
    if name.startswith("admin:"):
        return "admin:*"
    if name.startswith("otp_webauthn:"):
        return "otp_webauthn:*"
    if name.startswith("api:") and name in {"api:openapi-json", "api:openapi-view"}:
        return "api:*docs"
    if name.startswith("api:"):
        return "api"  # covered operation by operation through the OpenAPI schema below
    return None


def test_every_url_has_an_access_rule():
    missing = [name for name in _walk(get_resolver().url_patterns) if _rule_key(name) is None]
    assert missing == [], f"URLs without an access rule in this matrix: {missing}"


def test_every_api_operation_has_an_access_rule():
    schema = api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
    }
    assert operations - set(API_RULES) == set(), "API operations without an access rule"
    assert set(API_RULES) - operations == set(), "rules for API operations that do not exist"


@pytest.fixture
def personas(
    gp,
    other_gp,
    practice_nurse,
    clinic_doctor,
    clinic_nurse,
    clinic_secretary,
    hospital_doctor,
    planner,
    admin_user,
):
    return {
        "hospital_doctor": hospital_doctor,
        "gp": gp,
        "other_gp": other_gp,
        "practice_nurse": practice_nurse,
        "clinic_doctor": clinic_doctor,
        "clinic_nurse": clinic_nurse,
        "secretary": clinic_secretary,
        "planner": planner,
        "admin": admin_user,
    }


def _fill(body, values):
    """``body`` with the placeholders (CLINIC_DOCTOR_ID, ...) replaced by ``values``."""
    return {
        key: values.get(value, value) if isinstance(value, str) else value
        for key, value in body.items()
    }


@pytest.fixture
def medication_ids(patient, region_office):
    """Ids for medication URLs: a line of the GP's own patient, a shipped table, and a draft
    copy of it that another administrator made (so the matrix's admin may sign it off)."""
    from smertespor.accounts.models import Role
    from smertespor.medication.table_services import copy_conversion_table
    from tests.factories import UserFactory

    drafter = UserFactory.create(
        username="matrix-drafter", role=Role.ADMIN, organisation=region_office
    )
    line = MedicationLine.objects.create(
        patient=patient,
        product_id="morphine-depot-tablet",
        strength=30,
        units_per_dose=1,
        doses_per_day=2,
        start_date="2000-01-01",
    )
    table = ConversionTableVersion.objects.get(table_id="cdc-2022", origin="builtin")
    copy_conversion_table(source=table, by=drafter, table_id="cdc-2022", version="matrix-draft")
    return {"line_id": line.pk, "pk": table.pk}


def _medication_kwargs(name, patient, medication_ids):
    if not name.startswith("medication:") or name == "medication:tables":
        return {}
    if name.startswith("medication:table_"):
        return {"pk": medication_ids["pk"]}
    if name.startswith("medication:calculator"):
        return {}
    kwargs = {"patient_id": patient.pk}
    if name in {"medication:change_line", "medication:end_line"}:
        kwargs["line_id"] = medication_ids["line_id"]
    return kwargs


@pytest.fixture
def teaching_ids(clinic, gp, other_gp, practice_nurse, hospital_doctor):
    """Ids for teaching URLs: a coming session nobody has joined, one every practice persona
    has joined, a past one they all attended (with the GP's certificate), and a material."""
    from smertespor.teaching.tests.factories import (
        RegistrationFactory,
        TeachingSessionFactory,
        past_session_with_attendance,
    )

    practice_staff = [gp, other_gp, practice_nurse, hospital_doctor]
    upcoming = TeachingSessionFactory.create(organiser=clinic)
    booked = TeachingSessionFactory.create(organiser=clinic)
    for user in practice_staff:
        RegistrationFactory(session=booked, participant=user)
    past = past_session_with_attendance(organiser=clinic, attendees=practice_staff)
    material = upcoming.materials.create(
        kind="file",
        title="Slides",
        filename="slides.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.7",
    )
    return {
        "session_id": upcoming.pk,
        "booked_session_id": booked.pk,
        "past_session_id": past.pk,
        "registration_id": past.registrations.get(participant=gp).pk,
        "material_id": material.pk,
        "practice_id": other_gp.organisation_id,
    }


def _teaching_kwargs(name, teaching_ids):
    if not name.startswith("teaching:"):
        return {}
    if name in {"teaching:material", "teaching:material_delete"}:
        return {"material_id": teaching_ids["material_id"]}
    if name == "teaching:certificate":
        return {"registration_id": teaching_ids["registration_id"]}
    if name == "teaching:feedback":
        return {"session_id": teaching_ids["past_session_id"]}
    if name == "teaching:cancel":
        return {"session_id": teaching_ids["booked_session_id"]}
    session_pages = {"detail", "edit", "register", "cancel", "calendar", "attendance", "invite"}
    if name.removeprefix("teaching:") in session_pages | {"material_add"}:
        return {"session_id": teaching_ids["session_id"]}
    return {}


def _teaching_path(path, method, teaching_ids):
    """Which session an operation is tried on: joined to cancel, attended to give feedback."""
    path = path.replace("{material_id}", str(teaching_ids["material_id"]))
    if "{session_id}" not in path:
        return path
    if path.endswith("/registration") and method in {"GET", "DELETE"}:
        session_id = teaching_ids["booked_session_id"]
    elif path.endswith(("/attendance", "/feedback")):
        session_id = teaching_ids["past_session_id"]
    else:
        session_id = teaching_ids["session_id"]
    return path.replace("{session_id}", str(session_id))


CATALOGUE_CSV = (
    "id;name;brands;atc;category;form;route;release;unit;strengths;strength_labels;substance;"
    "other_ingredients;splittable;patch_change_hours;is_substitution;note\r\n"
    "matrix-csv-oxycodone;Matrix;;N02AA05;opioid;depot_tablet;oral;modified;mg;15;;oxycodone;;"
    "false;;false;\r\n"
)


def _handover_id(patient, clinic):
    from smertespor.tracks.tests.factories import CourseFactory, HandoverFactory

    course = CourseFactory.create(patient=patient, clinic=clinic)
    return HandoverFactory.create(course=course, clinic=clinic).pk


def _discharge_summary_id(patient, clinic, personas):
    from django.utils import timezone

    from smertespor.tracks.models import DischargeSummary
    from smertespor.tracks.tests.factories import CourseFactory

    course = CourseFactory.create(
        patient=patient,
        clinic=clinic,
        track="hospital",
        status="completed",
        responsible_organisation=clinic,
        deadline=None,
    )
    return DischargeSummary.objects.create(
        course=course,
        sent_to=patient.listed_practice,
        summary="Matrix",
        written_by=personas["clinic_doctor"],
        written_at=timezone.now(),
    ).pk


MEDICATION_CSV = (
    "cpr;produkt;styrke;enheder_pr_dosis;doser_pr_doegn;efter_behov;max_doser_pr_doegn;"
    "indikation;startdato;note\n"
    "0101701234;morphine-depot-tablet;30;1;2;nej;;smerter;05-01-2026;Matrix\n"
)


def _medication_csv_body(operation):
    if "/api/interop/medication-csv/" not in operation:
        return None
    return {"data": MEDICATION_CSV.encode(), "content_type": "text/csv"}


def _catalogue_csv_body(operation):
    if "/api/interop/catalogue-csv/" not in operation:
        return None
    return {"data": CATALOGUE_CSV.encode("cp1252"), "content_type": "text/csv"}


def _teaching_body(operation, teaching_ids):
    """The request of a teaching operation whose body names the test's own objects (the
    practice to invite) or is a file upload; None for the others."""
    if operation.endswith("/invitations"):
        body = {"practices": [teaching_ids["practice_id"]]}
        return {"content_type": "application/json", "data": json.dumps(body)}
    if operation.endswith("/materials/files"):
        upload = SimpleUploadedFile("slides.pdf", b"%PDF-1.7 matrix")
        return {"data": {"title": "Slides", "file": upload}}
    return None


def _screening_body(operation):
    """The upload of a good (one-row) dispensing extract, as a multipart form."""
    if not operation.endswith("/screening/extracts"):
        return None
    row = f"{'a' * 64},2026-01-05,N02AA05,123456,40,100,1,123456"
    columns = "person_id,dispensed_on,atc,product_number,strength,pack_size,packs,provider_number"
    upload = SimpleUploadedFile("extract.csv", f"{columns}\n{row}\n".encode())
    return {"data": {"file": upload}}


def _tracks_kwargs(name, patient, clinic):
    """Ids for course URLs: an active practice-track course of the GP's own patient (made
    only when the URL names one, so enrolling that patient stays possible)."""
    if not name.startswith("tracks:") or "worklist" in name or name in HOSPITAL_STAGES:
        return {}
    if name in {"tracks:patient_courses", "tracks:course_create"}:
        return {"patient_id": patient.pk}
    ids = _tracks_ids(patient, clinic, proposed=name in PROPOSED)
    kwargs = {"patient_id": patient.pk, "course_id": ids["course_id"]}
    if name == "tracks:alert_acknowledge":
        kwargs["alert_id"] = ids["alert_id"]
    return kwargs


# Pages and operations tried on a course the 3-month rule proposes to hand over (version 1).
PROPOSED = {
    "tracks:proposal",
    "tracks:proposal_confirm",
    "tracks:proposal_dismiss",
    f"GET {TRACKS_COURSE}/reviews",
    f"POST {TRACKS_COURSE}/proposal/confirm",
    f"POST {TRACKS_COURSE}/proposal/dismiss",
}


def _tracks_ids(patient, clinic, *, proposed=False):
    from smertespor.tracks.models import Alert, RuleReview
    from smertespor.tracks.tests.factories import CourseFactory

    course = CourseFactory.create(
        patient=patient, clinic=clinic, status="handover_review" if proposed else "active"
    )
    if proposed:
        RuleReview.objects.create(
            course=course,
            deadline=course.deadline,
            reviewed_at=timezone.now(),
            progress="no_follow_up",
            outcome="pending",
        )
    alert = Alert.objects.create(course=course, code="peg_worsened", raised_on=course.start_date)
    return {"course_id": course.pk, "alert_id": alert.pk}


# The stage of the hospital-track course each clinic page or operation is tried at.
HOSPITAL_STAGES = {
    "tracks:needs_assessment": "accepted",
    "tracks:course_plan": "assessed",
    "tracks:team_member_add": "assessed",
    "tracks:appointment_add": "assessed",
    "tracks:team_member_remove": "assessed",
    "tracks:appointment_cancel": "assessed",
    "tracks:course_complete": "planned",
    f"POST {TRACKS_COURSE}/needs-assessment": "accepted",
    f"POST {TRACKS_COURSE}/team": "assessed",
    f"POST {TRACKS_COURSE}/appointments": "assessed",
    f"POST {TRACKS_COURSE}/team/{{member_id}}/remove": "assessed",
    f"POST {TRACKS_COURSE}/appointments/{{appointment_id}}/cancel": "assessed",
    f"POST {TRACKS_COURSE}/plan": "assessed",
    f"POST {TRACKS_COURSE}/discharge-summary": "planned",
}


def _hospital_ids(stage, patient, clinic, personas):
    """A hospital-track course of the GP's patient run by the clinic (made only for the
    clinic's pages and operations): just accepted, needs assessed with the clinic nurse on
    the team, or with its plan in effect. The clinic sees the patient through the course."""
    from smertespor.patients.models import CareRelation
    from smertespor.patients.services import open_care_relation
    from smertespor.tracks.hospital_services import activate_plan, add_team_member, assess_needs
    from smertespor.tracks.models import Course, Status, Track
    from smertespor.tracks.tests.factories import CourseFactory

    doctor = personas["clinic_doctor"]
    course = CourseFactory.create(
        patient=patient,
        clinic=clinic,
        responsible_organisation=clinic,
        track=Track.HOSPITAL,
        status=Status.ACCEPTED,
    )
    open_care_relation(
        patient=patient, organisation=clinic, reason=CareRelation.Reason.COURSE, by=doctor
    )
    if stage in {"assessed", "planned"}:
        assess_needs(
            course=course,
            by=doctor,
            expected_version=course.version,
            disciplines=["doctor", "nurse"],
            interventions=["supervised_taper"],
        )
        member = add_team_member(
            course=course, by=doctor, user_id=personas["clinic_nurse"].pk, discipline="nurse"
        )
    if stage == "assessed":
        # One appointment to cancel (no clinician: the nurse can still be taken off the team).
        from smertespor.tracks.models import Appointment

        appointment = Appointment.objects.create(
            course=course,
            organisation=clinic,
            starts_at=datetime(2099, 1, 5, 9, 0, tzinfo=UTC),
            duration_minutes=45,
            discipline="doctor",
            created_by=doctor,
            created_at=timezone.now(),
        )
    if stage == "planned":
        course = Course.objects.get(pk=course.pk)
        activate_plan(course=course, by=doctor, expected_version=course.version, plan_note="Plan")
    course = Course.objects.get(pk=course.pk)
    reached = {
        "accepted": Status.ACCEPTED,
        "assessed": Status.NEEDS_ASSESSED,
        "planned": Status.PLAN_ACTIVE,
    }
    assert course.status == reached[stage]  # each rule is tried at the stage it belongs to
    ids = {"course_id": course.pk, "version": course.version}
    if stage == "assessed":
        ids.update(member_id=member.pk, appointment_id=appointment.pk)
    return ids


def _hospital_kwargs(name, patient, clinic, personas):
    if name not in HOSPITAL_STAGES:
        return {}
    ids = _hospital_ids(HOSPITAL_STAGES[name], patient, clinic, personas)
    kwargs = {"patient_id": patient.pk, "course_id": ids["course_id"]}
    if name == "tracks:team_member_remove":
        kwargs["member_id"] = ids["member_id"]
    if name == "tracks:appointment_cancel":
        kwargs["appointment_id"] = ids["appointment_id"]
    return kwargs


@pytest.fixture
def advice_ids(gp, clinic, settings, tmp_path):
    """Ids for advice URLs (see `matrix_objects`); uploads go to a temp folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return matrix_objects(gp=gp, clinic=clinic)


# Which article an advice URL points at: a draft unless named here.
_ARTICLE_FOR = {"advice:article_detail": "published_id", "advice:article_approve": "awaiting_id"}
_ADVICE_REQUEST_URLS = {
    "advice:detail",
    "advice:reply",
    "advice:assign",
    "advice:close",
    "advice:article_create",
}


def _advice_kwargs(name, patient, advice_ids):
    if name in {"advice:patient_requests", "advice:create_for_patient"}:
        return {"patient_id": patient.pk}
    if name in _ADVICE_REQUEST_URLS:
        return {"request_id": advice_ids["request_id"]}
    if name in {"advice:article_detail", "advice:article_edit"} or name in {
        "advice:article_submit",
        "advice:article_approve",
    }:
        return {"article_id": advice_ids[_ARTICLE_FOR.get(name, "draft_id")]}
    if name == "advice:attachment":
        return {"attachment_id": advice_ids["attachment_id"]}
    return {}


def _advice_path(operation, path, advice_ids):
    path = path.replace("{request_id}", str(advice_ids["request_id"]))
    path = path.replace("{practice_id}", str(advice_ids["practice_id"]))
    path = path.replace("{notification_id}", str(advice_ids["notification_id"]))
    if operation.startswith("GET "):
        article = advice_ids["published_id"]
    elif path.endswith("/approve"):
        article = advice_ids["awaiting_id"]
    else:
        article = advice_ids["draft_id"]
    return path.replace("{article_id}", str(article))


@pytest.fixture
def role_request_id(region_office, practice):
    """A pending role change another administrator proposed (the matrix's admin may decide
    it), and a second user a new change may be proposed for."""
    from smertespor.accounts.models import Role
    from smertespor.accounts.services import propose_role_change
    from tests.factories import UserFactory

    proposer = UserFactory.create(
        username="matrix-proposer", role=Role.ADMIN, organisation=region_office, is_staff=True
    )
    subject = UserFactory.create(username="matrix-subject", role=Role.GP, organisation=practice)
    other = UserFactory.create(username="matrix-subject-2", role=Role.GP, organisation=practice)
    request = propose_role_change(
        by=proposer, user=subject, role=Role.PRACTICE_NURSE, organisation=practice, reason="Matrix"
    )
    return {"id": request.pk, "other_subject_id": other.pk, "practice_id": practice.pk}


REGISTRATION_REQUEST_PAGES = {
    "patients:registration_request",
    "patients:registration_request_transfer",
    "patients:registration_request_decline",
}


@pytest.fixture
def registration_request_id(patient, other_gp):
    """The other practice registered the CPR number of the GP's own patient: a pending
    request the GP's practice decides (and the other practice cannot see)."""
    from smertespor.patients.services import register_patient

    assert register_patient(by=other_gp, cpr=patient.cpr, name="Matrix Flyttesen") is None
    return patient.registration_requests.get().pk


@pytest.fixture
def notification_id(gp):
    """A notification for the GP: only they may open it."""
    [notification] = notify(gp, kind="matrix", text="Hello", url="/")
    return notification.pk


def _notification_kwargs(name, notification_id):
    return {"notification_id": notification_id} if name == "notifications:open" else {}


def _taper_plan_id(patient, gp):
    """An active taper plan of the GP's own patient (from the medication line above): every
    operation on a plan, adjusting included, is open to it."""
    from smertespor.tapering.services import create_taper_plan, default_pace

    pace = default_pace(timezone.localdate())
    return create_taper_plan(patient=patient, by=gp, pace=pace, activate=True).pk


def _tapering_kwargs(name, patient, gp):
    if not name.startswith("tapering:"):
        return {}
    kwargs = {"patient_id": patient.pk}
    if name.startswith("tapering:plan_") and name not in {
        "tapering:plan_create",
        "tapering:plan_preview",
    }:
        kwargs["plan_id"] = _taper_plan_id(patient, gp)
    return kwargs


def _contact_id(patient, hospital_doctor):
    """The hospital department's open contact with the GP's patient (made only for the
    department's URLs that name one: it lets the department see the patient)."""
    from smertespor.departments.services import record_contact

    contact = record_contact(
        by=hospital_doctor, cpr=patient.cpr, name=patient.name, kind="admission", reason="Matrix"
    )
    assert contact is not None
    return contact.pk


@pytest.fixture
def referral_ids(patient, gp, clinic, settings, tmp_path):
    """Makes, when a referral URL is tried, a referral of the GP's own patient to the pain
    clinic: a complete draft (all criteria met), one just received (with an attachment), or
    one accepted; and another centre of the region to forward to."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def make(state):
        from smertespor.accounts.models import Organisation
        from smertespor.referrals import services
        from smertespor.referrals.tests.factories import draft
        from tests.factories import OrganisationFactory

        centre = OrganisationFactory.create(
            name="Matrix Centre", kind=Organisation.Kind.PAIN_CENTRE
        )
        upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.7 matrix", content_type="application/pdf")
        referral = draft(gp, patient, clinic, files=[upload] if state != "draft" else [])
        if state != "draft":
            referral = services.send_referral(referral=referral, by=gp)
        if state == "accepted":
            from smertespor.accounts.models import Role
            from tests.factories import UserFactory

            doctor = UserFactory.create(
                username="matrix-triager", role=Role.CLINIC_DOCTOR, organisation=clinic
            )
            referral = services.accept_referral(
                referral=referral, by=doctor, priority="routine", expected_wait_weeks=4
            )
        return {
            "referral_id": referral.pk,
            "attachment_id": referral.attachments.values_list("pk", flat=True).first(),
            "forward_to": centre.pk,
            "recipient": clinic.pk,
        }

    return make


# The state of the referral each page or operation is tried on (else: just received).
REFERRAL_STATES = {
    "referrals:edit": "draft",
    "referrals:send": "draft",
    "referrals:appointment": "accepted",
    "PUT /api/referrals/{referral_id}": "draft",
    "POST /api/referrals/{referral_id}/send": "draft",
    "POST /api/referrals/{referral_id}/first-appointment": "accepted",
}


def _referral_kwargs(name, patient, referral_ids):
    if name == "referrals:criteria_version":
        from smertespor.referrals.models import CriteriaVersion

        return {"version_id": CriteriaVersion.objects.get().pk}, {}
    if not name.startswith("referrals:") or name in {
        "referrals:list",
        "referrals:counts",
        "referrals:criteria_versions",
        "referrals:criteria_publish",
    }:
        return {}, {}
    if name == "referrals:create":
        return {"patient_id": patient.pk}, {}
    ids = referral_ids(REFERRAL_STATES.get(name, "received"))
    if name == "referrals:attachment":
        return {"attachment_id": ids["attachment_id"]}, ids
    return {"referral_id": ids["referral_id"]}, ids


# The state of the GP's patient's pathway each page or operation is tried in (others: none):
# "new" not enrolled; "enrolled"; "involved" the clinic involved in the pain-clinic stage
# (it sees the patient); "started" the clinic's part under way.
PATHWAY_STATES = {
    "pathways:patient": "involved",
    "pathways:enrol": "new",
    "pathways:level": "enrolled",
    "pathways:involve": "enrolled",
    "pathways:end": "enrolled",
    "pathways:part_start": "involved",
    "pathways:part_plan": "started",
    "pathways:part_end": "started",
    f"GET {PATHWAY}": "involved",
    f"POST {PATHWAY}": "new",
    f"POST {PATHWAY}/level": "enrolled",
    f"POST {PATHWAY}/involvements": "enrolled",
    f"POST {PATHWAY}/end": "involved",
    f"POST {PATHWAY}/parts": "involved",
    f"POST {PATHWAY}/parts/{{part_id}}/plan": "started",
    f"POST {PATHWAY}/parts/{{part_id}}/end": "started",
}


def _pathway_ids(state, patient, clinic, personas):
    from smertespor.pathways.models import PathwayVersion
    from smertespor.pathways.services import (
        enrol_patient,
        involve_organisation,
        record_stage_transition,
    )

    ids = {"version_id": PathwayVersion.objects.get().pk, "part_id": 0}
    if state in {None, "new"}:
        return ids
    enrolment = enrol_patient(
        patient=patient,
        by=personas["gp"],
        enrolled_on=timezone.localdate(),
        level="high",
        level_reason="Matrix",
    )
    if state in {"involved", "started"}:
        part = involve_organisation(
            enrolment=enrolment,
            by=personas["gp"],
            expected_version=None,
            stage="pain_clinic",
            organisation_id=clinic.pk,
        )
        ids["part_id"] = part.pk
    if state == "started":
        record_stage_transition(
            enrolment=enrolment,
            by=personas["clinic_doctor"],
            stage="pain_clinic",
            organisation=clinic,
            event="start",
        )
    return ids


def _pathway_kwargs(name, patient, clinic, personas):
    if not name.startswith("pathways:"):
        return {}
    ids = _pathway_ids(PATHWAY_STATES.get(name), patient, clinic, personas)
    if name == "pathways:version":
        return {"version_id": ids["version_id"]}
    if name not in PATHWAY_STATES:
        return {}
    kwargs = {"patient_id": patient.pk}
    if name in {"pathways:part_plan", "pathways:part_end"}:
        kwargs["part_id"] = ids["part_id"]
    return kwargs


def _pathway_file():
    from domain.pathway import shipped_pathway_text

    return shipped_pathway_text().replace('version = "2026.1"', 'version = "matrix-1"', 1)


def _criteria_file():
    from domain.referral_criteria import shipped_criteria_text

    return shipped_criteria_text().replace('version = "2026-1"', 'version = "matrix-1"', 1)


def _evaluation_kwargs(name, patient):
    """The measure pages: a measure, and the GP's practice for the planner's drill-down."""
    if name in {
        "evaluation:measures_detail",
        "evaluation:measures_own_measure",
        "evaluation:measures_own_patients",
    }:
        return {"code": "omeq_50"}
    if name == "evaluation:measures_practice":
        return {"practice_id": patient.listed_practice_id}
    return {}


def _centres_kwargs(name, patient):
    """The pain centre's pages: the GP's patient, and its discharged course at a centre."""
    if not name.startswith("centres:") or name == "centres:worklist":
        return {}
    kwargs = {"patient_id": patient.pk}
    if name != "centres:course_create":
        ids = matrix_centre_ids(patient)
        kwargs["course_id"] = ids["course_id"]
        if name == "centres:appointment_record":
            kwargs["appointment_id"] = ids["appointment_id"]
        if name == "centres:team_remove":
            kwargs["member_id"] = ids["member_id"]
    return kwargs


def _centres_path(url, patient):
    if not url.startswith("/api/centres/") or "{course_id}" not in url:
        return url
    ids = matrix_centre_ids(patient)
    for key in ("course_id", "module_id", "appointment_id", "member_id"):
        url = url.replace(f"{{{key}}}", str(ids[key]))
    return url


# Evaluation jobs of the planner's region office, by the URL or operation that names one.
REGION_JOBS = {
    "evaluation:screening_result": "screening",
    "evaluation:measures_result": "measures",
    "GET /api/evaluation/screening/jobs/{job_id}": "screening",
    "GET /api/evaluation/measures/jobs/{job_id}": "measures",
}


def _region_job(kind, planner):
    """A finished screening or measures job of the planner's region office."""
    from smertespor.evaluation.measures_work import run_measures_job
    from smertespor.evaluation.screening_work import run_screening_job
    from smertespor.jobs.models import Job

    work = {"screening": run_screening_job, "measures": run_measures_job}[kind]
    return Job.objects.create(
        kind=kind,
        work=f"{work.__module__}.{work.__qualname__}",
        params={},
        status=Job.Status.DONE,
        started_by=planner,
        organisation_id=planner.organisation_id,
        result={},
    ).pk


def _screening_finding(patient):
    """A finding of the latest screening that matches the GP's patient at its practice."""
    from smertespor.evaluation.screening_matching import pseudonym_for
    from smertespor.evaluation.screening_models import (
        DispensingExtract,
        ScreeningFinding,
        ScreeningRun,
    )

    now = timezone.now()
    extract = DispensingExtract.objects.create(
        original_name="matrix.csv",
        stored_path="screening/matrix.parquet",
        sha256="0" * 64,
        rows=1,
        first_date=now.date(),
        last_date=now.date(),
        uploaded_at=now,
    )
    run = ScreeningRun.objects.create(
        extract=extract,
        status=ScreeningRun.Status.DONE,
        settings={},
        conversion_table="matrix",
        started_at=now,
        finished_at=now,
    )
    return ScreeningFinding.objects.create(
        run=run,
        person_id=pseudonym_for(patient.cpr),
        provider_number=patient.listed_practice.provider_number,
        longest_era_days=200,
        is_long_term=True,
        is_high_dose=False,
        has_comedication=False,
        has_several_prescribers=False,
        has_scheduled_short_acting=False,
    ).pk


def _jobs_kwargs(name, personas):
    """A finished forecast of the clinic (made only for the URLs that name a job), or a
    job of the planner's region office."""
    if name in REGION_JOBS:
        return {"job_id": _region_job(REGION_JOBS[name], personas["planner"])}
    if name not in {"evaluation:forecast_result", "evaluation:forecast_csv"} and not (
        name.startswith("jobs:")
    ):
        return {}
    from smertespor.evaluation.tests.forecast_factories import finished_forecast

    return {"job_id": finished_forecast(personas["clinic_doctor"]).pk}


def _client(persona, personas, client_for, client):
    return client if persona == "anonymous" else client_for(personas[persona])


def _assert_refused(response, persona, patient):
    if persona == "anonymous" or response.status_code == 302:
        # Anonymous users, and non-staff in Django's admin, are sent to a login page.
        assert response.status_code in (302, 401), response.status_code
        if response.status_code == 302:
            assert "/login/" in response["Location"]
    else:
        assert response.status_code in (403, 404), response.status_code
    assert patient.name.encode() not in response.content
    assert patient.cpr[:6].encode() not in response.content


def _assert_problem(response):
    """Every API error answer is an RFC 9457 problem (application/problem+json)."""
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == response.status_code
    assert body["type"]
    assert body["title"]
    for error in body.get("errors", []):
        assert set(error) == {"field", "code", "message"}


def _each_persona(check):
    """Runs ``check(persona)`` for every persona, each in a savepoint rolled back afterwards:
    the records a URL or operation names are made once, and what one persona's request
    changed is gone before the next one's. Every persona is tried; the failures are reported
    together, each with the persona it failed for."""
    from django.db import transaction

    failures = []
    for persona in PERSONAS:
        with transaction.atomic():
            try:
                check(persona)
            except AssertionError as error:
                failures.append(f"{persona}: {error!r}")
            except Exception as error:
                error.add_note(f"persona: {persona}")
                raise
            finally:
                transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", sorted(PAGE_RULES))
def test_page_access_matrix(
    name,
    personas,
    patient,
    client_for,
    medication_ids,
    teaching_ids,
    clinic,
    notification_id,
    advice_ids,
    role_request_id,
    registration_request_id,
    referral_ids,
):
    """Every persona on the page: allowed ones get it, the others are refused without a
    trace of the patient."""
    _each_persona(
        _check_page(
            name,
            personas,
            patient,
            client_for,
            medication_ids,
            teaching_ids,
            clinic,
            notification_id,
            advice_ids,
            role_request_id,
            registration_request_id,
            referral_ids,
        )
    )


def _check_page(
    name,
    personas,
    patient,
    client_for,
    medication_ids,
    teaching_ids,
    clinic,
    notification_id,
    advice_ids,
    role_request_id,
    registration_request_id,
    referral_ids,
):
    method, body, allowed = PAGE_RULES[name]
    url_name = {
        "admin:*": "admin:index",
        "api:*docs": "api:openapi-view",
        "otp_webauthn:*": "otp_webauthn:credential-registration-begin",
    }.get(name, name)
    kwargs = (
        {"patient_id": patient.pk}
        if name.startswith("patients:")
        and name
        not in {
            "patients:list",
            "patients:search",
            "patients:create",
            "patients:registration_requests",
            *REGISTRATION_REQUEST_PAGES,
        }
        else {}
    )
    if name in REGISTRATION_REQUEST_PAGES:
        kwargs["request_id"] = registration_request_id
    kwargs.update(_medication_kwargs(name, patient, medication_ids))
    kwargs.update(_tracks_kwargs(name, patient, clinic))
    kwargs.update(_hospital_kwargs(name, patient, clinic, personas))
    kwargs.update(_tapering_kwargs(name, patient, personas["gp"]))
    kwargs.update(_centres_kwargs(name, patient))
    kwargs.update(_evaluation_kwargs(name, patient))
    kwargs.update(_teaching_kwargs(name, teaching_ids))
    kwargs.update(_notification_kwargs(name, notification_id))
    kwargs.update(_advice_kwargs(name, patient, advice_ids))
    if name == "departments:contact_end":
        kwargs["contact_id"] = _contact_id(patient, personas["hospital_doctor"])
    kwargs.update(_pathway_kwargs(name, patient, clinic, personas))
    if name in {"accounts:role_request_approve", "accounts:role_request_reject"}:
        kwargs["role_request_id"] = role_request_id["id"]
    referral_kwargs, referral = _referral_kwargs(name, patient, referral_ids)
    kwargs.update(referral_kwargs)
    kwargs.update(_jobs_kwargs(name, personas))
    if name == "evaluation:screening_invite":
        kwargs["finding_id"] = _screening_finding(patient)
    if name == "interop:patient_exchange":
        kwargs["patient_id"] = patient.pk
    url = reverse(url_name, kwargs=kwargs)
    body = _fill(
        body or {},
        {
            CLINIC_DOCTOR_ID: str(personas["clinic_doctor"].pk),
            FORWARD_TO_ID: str(referral.get("forward_to", "")),
            PATIENT_ID: str(patient.pk),
        },
    )
    if method == "POST" and name in _PAGE_VERSIONED:
        # The form carries the version of the record it was opened at, in a hidden field.
        label, key = _PAGE_VERSIONED[name]
        body = {**body, "version": _page_version(label, kwargs[key])}

    def ask(persona):
        http = _client(persona, personas, client_for, Client())
        for value in body.values():
            if hasattr(value, "seek"):
                value.seek(0)  # an upload is read again for every persona
        response = http.get(url) if method == "GET" else http.post(url, body)
        if persona in allowed:
            assert response.status_code in (200, 302), (name, persona, response.status_code)
            if response.status_code == 302 and persona != "anonymous":
                assert "/login/" not in response["Location"] or name == "logout"
        else:
            _assert_refused(response, persona, patient)

    return ask


@pytest.mark.parametrize("operation", sorted(API_RULES))
def test_api_access_matrix(
    operation,
    personas,
    patient,
    client_for,
    medication_ids,
    teaching_ids,
    clinic,
    advice_ids,
    role_request_id,
    registration_request_id,
    referral_ids,
    settings,
    tmp_path,
):
    """Every persona on the operation: allowed ones get an answer, the others a problem
    without a trace of the patient."""
    _each_persona(
        _check_api(
            operation,
            personas,
            patient,
            client_for,
            medication_ids,
            teaching_ids,
            clinic,
            advice_ids,
            role_request_id,
            registration_request_id,
            referral_ids,
            settings,
            tmp_path,
        )
    )


def _check_api(
    operation,
    personas,
    patient,
    client_for,
    medication_ids,
    teaching_ids,
    clinic,
    advice_ids,
    role_request_id,
    registration_request_id,
    referral_ids,
    settings,
    tmp_path,
):
    body, allowed = API_RULES[operation]
    method, path = operation.split(" ", 1)
    settings.MEDIA_ROOT = tmp_path / "media"  # an accepted extract is stored there
    url = path.replace("{patient_id}", str(patient.pk))
    referral: dict[str, Any] = {"recipient": clinic.pk}
    if "{referral_id}" in url:
        referral = referral_ids(REFERRAL_STATES.get(operation, "received"))
        url = url.replace("{referral_id}", str(referral["referral_id"]))
    url = url.replace("{registration_request_id}", str(registration_request_id))
    url = _advice_path(operation, url, advice_ids)
    url = _teaching_path(url, method, teaching_ids)
    url = url.replace("{line_id}", str(medication_ids["line_id"]))
    url = url.replace("{role_request_id}", str(role_request_id["id"]))
    url = url.replace("{practice_id}", str(patient.listed_practice_id))
    if "{contact_id}" in url:
        url = url.replace("{contact_id}", str(_contact_id(patient, personas["hospital_doctor"])))
    values: dict[str, object] = {
        CLINIC_DOCTOR_ID: personas["clinic_doctor"].pk,
        SUBJECT_ID: role_request_id["other_subject_id"],
        SUBJECT_PRACTICE_ID: role_request_id["practice_id"],
        PATIENT_ID: str(patient.pk),
        RECIPIENT_ID: referral["recipient"],
        FORWARD_TO_ID: referral.get("forward_to", 0),
    }
    url = _centres_path(url, patient)
    if "/handovers/{handover_id}/" in url:
        url = url.replace("{handover_id}", str(_handover_id(patient, clinic)))
    if "/discharge-summaries/{summary_id}/" in url and "/centre-" not in url:
        url = url.replace("{summary_id}", str(_discharge_summary_id(patient, clinic, personas)))
    if "/centre-discharge-summaries/{summary_id}/" in url:
        course_id = matrix_centre_ids(patient)["course_id"]
        url = url.replace(
            "{summary_id}", str(CentreDischargeSummary.objects.get(course=course_id).pk)
        )
    if operation in HOSPITAL_STAGES:
        ids = _hospital_ids(HOSPITAL_STAGES[operation], patient, clinic, personas)
        url = url.replace("{course_id}", str(ids["course_id"]))
        url = url.replace("{member_id}", str(ids.get("member_id")))
        url = url.replace("{appointment_id}", str(ids.get("appointment_id")))
    elif "{course_id}" in url:
        ids = _tracks_ids(patient, clinic, proposed=operation in PROPOSED)
        url = url.replace("{course_id}", str(ids["course_id"]))
        url = url.replace("{alert_id}", str(ids["alert_id"]))
    if "{plan_id}" in url:
        url = url.replace("{plan_id}", str(_taper_plan_id(patient, personas["gp"])))
    if "/api/pathways/" in url:
        ids = _pathway_ids(PATHWAY_STATES.get(operation), patient, clinic, personas)
        url = url.replace("{version_id}", str(ids["version_id"]))
        url = url.replace("{part_id}", str(ids["part_id"]))
        values[PATHWAY_CLINIC_ID] = clinic.pk
        values["<pathway file>"] = _pathway_file()
    if operation in REGION_JOBS:
        url = url.replace("{job_id}", str(_region_job(REGION_JOBS[operation], personas["planner"])))
    if "{finding_id}" in url:
        url = url.replace("{finding_id}", str(_screening_finding(patient)))
    if "{job_id}" in url:
        from smertespor.evaluation.tests.forecast_factories import finished_forecast

        url = url.replace("{job_id}", str(finished_forecast(personas["clinic_doctor"]).pk))
    if "/api/referrals/criteria/" in url:
        values["<criteria file>"] = _criteria_file()

    def ask(persona):
        http = _client(persona, personas, client_for, Client())
        kwargs: dict[str, Any] = {"content_type": "application/json"}
        if body is not None:
            kwargs["data"] = json.dumps(_fill(body, values))
        kwargs = _teaching_body(operation, teaching_ids) or _screening_body(operation) or kwargs
        kwargs = _catalogue_csv_body(operation) or _medication_csv_body(operation) or kwargs
        if method != "GET":
            # A write names the version of the record it changes, as its GET's ETag gives it.
            kwargs["headers"] = {"If-Match": _current_version(url)}
        response = getattr(http, method.lower())(url, **kwargs)
        if persona in allowed:
            assert response.status_code in (200, 201, 202), (operation, persona, response.content)
        else:
            _assert_refused(response, persona, patient)
            _assert_problem(response)

    return ask


# The record a page's versioned form changes: its model and the URL argument naming it.
_PAGE_VERSIONED = {
    "medication:end_line": ("medication.MedicationLine", "line_id"),
    "tapering:plan_status": ("tapering.TaperPlan", "plan_id"),
    "advice:reply": ("advice.AdviceRequest", "request_id"),
    **{
        f"referrals:{page}": ("referrals.Referral", "referral_id")
        for page in (
            "send",
            "message",
            "withdraw",
            "triage",
            "request_information",
            "accept",
            "reject",
            "forward",
            "appointment",
        )
    },
    "advice:assign": ("advice.AdviceRequest", "request_id"),
    "advice:article_submit": ("advice.Article", "article_id"),
    "advice:article_approve": ("advice.Article", "article_id"),
}


def _page_version(label: str, pk: object) -> str:
    from django.apps import apps

    return str(apps.get_model(label).objects.values_list("version", flat=True).get(pk=pk))


# The record a versioned write changes, by the most specific part of its path.
_VERSIONED_PATHS = [
    (r"/enrolment/parts/(\d+)/", "pathways.Part"),
    (r"^/api/centres/.*/appointments/(\d+)/", "centres.Appointment"),
    (r"^/api/centres/patients/[0-9a-f-]{36}/courses/(\d+)", "centres.CentreCourse"),
    (r"/api/advice/articles/(\d+)", "advice.Article"),
    (r"/api/referrals/(\d+)", "referrals.Referral"),
    (r"/api/advice/requests/(\d+)/(?:messages|assign|close)$", "advice.AdviceRequest"),
    (r"/api/teaching/sessions/(\d+)$", "teaching.TeachingSession"),
    (r"/plans/(\d+)/", "tapering.TaperPlan"),
    (r"/medication/(\d+)", "medication.MedicationLine"),
    (r"^/api/patients/([0-9a-f-]{36})$", "patients.Patient"),
    (r"/courses/(\d+)", "tracks.Course"),
    (r"/api/departments/contacts/(\d+)", "departments.HospitalContact"),
]


def _current_version(url: str) -> str:
    """`If-Match` for a write to `url`: the version of its record as it is now ("1" when the
    path names no versioned record; the endpoint then does not read it)."""
    import re

    from django.apps import apps

    enrolment = re.search(
        r"/api/pathways/patients/([0-9a-f-]{36})/enrolment/(?:level|involvements|end)$", url
    )
    if enrolment:
        from smertespor.pathways.models import Enrolment

        active = Enrolment.objects.filter(patient_id=enrolment.group(1), status="active")
        return f'"{active.values_list("version", flat=True).first() or 1}"'

    for pattern, label in _VERSIONED_PATHS:
        found = re.search(pattern, url)
        if found:
            model = apps.get_model(label)
            version = model.objects.filter(pk=found.group(1)).values_list("version", flat=True)
            return f'"{version.first() or 1}"'
    return '"1"'


# Errors no endpoint wrote are problems too: bad JSON, wrong types, unknown URLs, methods,
# a stale version, a missing CSRF token.
BAD_CALLS = [
    pytest.param("post", "/api/patients/search", "{not json", 400, id="malformed-json"),
    pytest.param("post", "/api/patients/search", '{"page": "two"}', 422, id="wrong-type"),
    pytest.param("post", "/api/patients", "[]", 422, id="not-an-object"),
    pytest.param("get", "/api/nowhere", None, 404, id="unknown-url"),
    pytest.param("delete", "/api/patients", None, 405, id="method-not-allowed"),
    pytest.param("get", "/api/patients/not-a-uuid", None, 404, id="not-an-id"),
    pytest.param(
        "post",
        f"{TRACKS_COURSE}/decisions",
        '{"event": "hand_over_early", "reason": "Matrix"}',
        409,
        id="stale-version",
    ),
    pytest.param(
        "post",
        f"{TRACKS_COURSE}/decisions",
        '{"event": "hand_over_early", "reason": "Matrix"}',
        428,
        id="no-if-match",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), BAD_CALLS)
def test_bad_input_is_answered_as_a_problem(
    method, path, body, status, gp, patient, clinic, client_for
):
    if "{course_id}" in path:
        path = path.replace("{course_id}", str(_tracks_ids(patient, clinic)["course_id"]))
    path = path.replace("{patient_id}", str(patient.pk))
    kwargs: dict[str, Any] = {"content_type": "application/json"} if body is not None else {}
    if body is not None:
        kwargs["data"] = body
    if status == 409:
        kwargs["headers"] = {"If-Match": '"99"'}  # the course is at version 1
    response = getattr(client_for(gp), method)(path, **kwargs)
    assert response.status_code == status, response.content
    _assert_problem(response)
    assert patient.name.encode() not in response.content


def test_a_write_without_its_csrf_token_is_a_problem(gp, patient):
    from django.test import Client

    http = Client(enforce_csrf_checks=True)
    http.force_login(gp, backend="smertespor.accounts.backends.UserBackend")
    response = http.patch(
        f"/api/patients/{patient.pk}", json.dumps({"phone": "12345678"}), "application/json"
    )
    assert response.status_code == 403
    _assert_problem(response)
    patient.refresh_from_db()
    assert patient.phone == ""


# Django admin pages of models that hold or point at patient data: the administrator (staff,
# never a superuser) is refused on each, list, add and history alike.
PATIENT_DATA_ADMIN_MODELS = [
    "advice_advicerequest",
    "advice_article",
    "notifications_notification",
    "teaching_registration",
    "teaching_feedback",
]


@pytest.mark.parametrize("model", PATIENT_DATA_ADMIN_MODELS)
def test_the_administrator_reaches_no_patient_data_in_the_django_admin(
    model, admin_user, client_for, patient, advice_ids, notification_id
):
    http = client_for(admin_user)
    assert http.get(reverse("admin:index")).status_code == 200
    response = http.get(reverse(f"admin:{model}_changelist"))
    _assert_refused(response, "admin", patient)
    app_label, model_name = model.split("_", 1)
    from django.apps import apps

    obj = apps.get_model(app_label, model_name).objects.first()
    if obj is not None:
        for page in ("change", "history"):
            response = http.get(reverse(f"admin:{model}_{page}", args=[obj.pk]))
            _assert_refused(response, "admin", patient)


def test_the_django_admin_lists_only_what_the_administrator_may_do(admin_user, client_for):
    from django.contrib import admin

    from smertespor.accounts.permissions import ADMINISTRATOR_ADMIN_PERMISSIONS

    request = client_for(admin_user).get(reverse("admin:index")).wsgi_request
    shown = {
        f"{model._meta.app_label}.{model._meta.model_name}"
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_view_permission(request) or model_admin.has_add_permission(request)
    }
    allowed = {p.split(".")[0] + "." + p.split("_", 1)[1] for p in ADMINISTRATOR_ADMIN_PERMISSIONS}
    assert shown <= allowed
    assert "patients.patient" not in shown
    assert not admin_user.is_superuser
