"""The words for the audit log's codes: what kind of thing a row is about ("follow_up" reads
"opfølgningsbesøg"), so no page shows a code. Every ``object_type`` the apps write has a label
here (``smertespor/audit/tests/test_labels.py`` checks it)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

OBJECT_LABELS: dict[str, Promise] = {
    "patient": pgettext_lazy("audit object", "record"),
    "patient_edit": pgettext_lazy("audit object", "edit form"),
    "patient_history": pgettext_lazy("audit object", "record history"),
    "access_log": pgettext_lazy("audit object", "access log"),
    "home": pgettext_lazy("audit object", "today's work"),
    "patient_timeline": pgettext_lazy("audit object", "timeline"),
    "registration_request": pgettext_lazy("audit object", "registration request"),
    "patient_list": pgettext_lazy("audit object", "patient list"),
    "patient_search": pgettext_lazy("audit object", "search results"),
    "practice_worklist": pgettext_lazy("audit object", "practice worklist"),
    "clinic_worklist": pgettext_lazy("audit object", "clinic worklist"),
    "advice_requests": pgettext_lazy("audit object", "advice requests"),
    "advice_request": pgettext_lazy("audit object", "advice request"),
    "advice_request_form": pgettext_lazy("audit object", "advice request form"),
    "advice_message": pgettext_lazy("audit object", "advice message"),
    "advice_attachment": pgettext_lazy("audit object", "advice attachment"),
    "advice_article": pgettext_lazy("audit object", "knowledge-base article"),
    "api_advice_articles": pgettext_lazy("audit object", "knowledge-base articles (API)"),
    "api_advice_counts": pgettext_lazy("audit object", "advice figures (API)"),
    "api_advice_requests": pgettext_lazy("audit object", "advice requests (API)"),
    "api_referrals": pgettext_lazy("audit object", "referrals (API)"),
    "alert": pgettext_lazy("audit object", "alert"),
    "appointment": pgettext_lazy("audit object", "appointment"),
    "backup_check": pgettext_lazy("audit object", "backup check"),
    "catalogue_product": pgettext_lazy("audit object", "catalogue product"),
    "centre_appointment": pgettext_lazy("audit object", "pain centre appointment"),
    "centre_counts": pgettext_lazy("audit object", "pain centre figures"),
    "centre_course": pgettext_lazy("audit object", "pain centre course"),
    "centre_course_module": pgettext_lazy("audit object", "pain centre course module"),
    "centre_course_team": pgettext_lazy("audit object", "pain centre course team"),
    "centre_discharge_summary": pgettext_lazy("audit object", "pain centre discharge summary"),
    "centre_outcome": pgettext_lazy("audit object", "pain centre outcome"),
    "centre_summaries": pgettext_lazy("audit object", "pain centre discharge summaries"),
    "centre_worklist": pgettext_lazy("audit object", "pain centre worklist"),
    "conversion_table": pgettext_lazy("audit object", "conversion table"),
    "course": pgettext_lazy("audit object", "course"),
    "course_decision": pgettext_lazy("audit object", "course decision"),
    "course_plan": pgettext_lazy("audit object", "course plan"),
    "course_team": pgettext_lazy("audit object", "course team"),
    "courses": pgettext_lazy("audit object", "courses"),
    "discharge_summary": pgettext_lazy("audit object", "discharge summary"),
    "dispensing_extract": pgettext_lazy("audit object", "dispensing extract"),
    "fhir_bundle": pgettext_lazy("audit object", "FHIR record"),
    "fhir_import": pgettext_lazy("audit object", "FHIR import"),
    "first_administrator": pgettext_lazy("audit object", "first administrator"),
    "follow_up": pgettext_lazy("audit object", "follow-up visit"),
    "handover": pgettext_lazy("audit object", "handover"),
    "handover_proposal": pgettext_lazy("audit object", "handover proposal"),
    "hospital_contact": pgettext_lazy("audit object", "hospital contact"),
    "hospital_contacts": pgettext_lazy("audit object", "hospital contacts"),
    "job": pgettext_lazy("audit object", "background job"),
    "login": pgettext_lazy("audit object", "login"),
    "measure_patients": pgettext_lazy("audit object", "patients in a measure"),
    "measure_patients_csv": pgettext_lazy("audit object", "patients in a measure (CSV)"),
    "measures": pgettext_lazy("audit object", "measures"),
    "medcom_message": pgettext_lazy("audit object", "MedCom message"),
    "medication_csv": pgettext_lazy("audit object", "medication CSV import"),
    "medication_csv_preview": pgettext_lazy("audit object", "medication CSV preview"),
    "medication_history": pgettext_lazy("audit object", "medication history"),
    "medication_line": pgettext_lazy("audit object", "medication line"),
    "medication_list": pgettext_lazy("audit object", "medication list"),
    "mfa_device": pgettext_lazy("audit object", "second factor"),
    "needs_assessment": pgettext_lazy("audit object", "needs assessment"),
    "omeq_comparison": pgettext_lazy("audit object", "OMEQ comparison"),
    "pathway_enrolment": pgettext_lazy("audit object", "pathway enrolment"),
    "pathway_enrolments": pgettext_lazy("audit object", "pathway enrolments"),
    "pathway_part": pgettext_lazy("audit object", "part of a pathway"),
    "pathway_version": pgettext_lazy("audit object", "pathway version"),
    "patient_exchange": pgettext_lazy("audit object", "data exchange"),
    "plan": pgettext_lazy("audit object", "plan"),
    "referral": pgettext_lazy("audit object", "referral"),
    "referral_counts": pgettext_lazy("audit object", "referral figures"),
    "referral_criteria_version": pgettext_lazy("audit object", "referral criteria version"),
    "referral_message": pgettext_lazy("audit object", "referral message"),
    "referrals": pgettext_lazy("audit object", "referrals"),
    "referrals_home": pgettext_lazy("audit object", "referrals overview"),
    "role_change_request": pgettext_lazy("audit object", "role change request"),
    "screening": pgettext_lazy("audit object", "screening"),
    "screening_counts": pgettext_lazy("audit object", "screening figures"),
    "screening_findings": pgettext_lazy("audit object", "screening findings"),
    "screening_invitation": pgettext_lazy("audit object", "screening invitation"),
    "taper_plan": pgettext_lazy("audit object", "taper plan"),
    "taper_plan_form": pgettext_lazy("audit object", "taper plan form"),
    "taper_plan_preview": pgettext_lazy("audit object", "taper plan preview"),
    "taper_plans": pgettext_lazy("audit object", "taper plans"),
    "teaching_session": pgettext_lazy("audit object", "teaching session"),
    "view": pgettext_lazy("audit object", "page"),
    "worklist": pgettext_lazy("audit object", "worklist"),
}


def object_label(object_type: str) -> str:
    """What an audit row is about, in the user's language; an unknown code reads as a
    neutral "entry", never as the code itself."""
    if not object_type:
        return ""
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else str(_("entry in the record"))
