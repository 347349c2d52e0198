"""The demo region's advice service: requests answered, open and overdue, telephone advice
and a published knowledge-base article, with response times measured in working days.

Made through the services (so snapshots, care relations, audit rows and notifications are
real), then moved back in time. Idempotent: nothing is made if the clinic has requests.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from domain.working_days import is_working_day
from smertespor.accounts.models import Organisation, User
from smertespor.advice.article_services import approve_article, start_article, submit_article
from smertespor.advice.models import AdviceRequest, Outcome
from smertespor.advice.response_time import closed_days, due_date, response_working_days
from smertespor.advice.services import (
    ask_for_advice,
    assign_advice_request,
    close_advice_request,
    record_telephone_advice,
    reply_to_advice_request,
)
from smertespor.patients.models import Patient


def _working_days_ago(days: int) -> datetime:
    """10:00 on the working day `days` working days before today."""
    today = timezone.localdate()
    closed = closed_days(today - timedelta(days=days * 2 + 14), today)
    day = today - timedelta(days=1)
    counted = 0
    while True:
        if is_working_day(day, closed):
            counted += 1
            if counted >= days:
                break
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _backdate(
    advice_request: AdviceRequest, asked_at: datetime, replied_at: datetime | None
) -> None:
    fields: dict[str, Any] = {
        "asked_at": asked_at,
        "due_on": due_date(asked_at, advice_request.urgency),
        "last_activity_at": replied_at or asked_at,
    }
    if replied_at is not None:
        fields["first_response_at"] = replied_at
        fields["response_working_days"] = response_working_days(asked_at, replied_at)
    if advice_request.snapshot:
        fields["snapshot"] = {**advice_request.snapshot, "taken_at": asked_at.isoformat()}
    AdviceRequest.objects.filter(pk=advice_request.pk).update(**fields)
    messages = list(advice_request.messages.order_by("pk"))
    for index, message in enumerate(messages):
        moment = asked_at if index == 0 else (replied_at or asked_at) + timedelta(minutes=index)
        type(message).objects.filter(pk=message.pk).update(created_at=moment)


def load_demo_advice(*, clinic_name: str, gp_username: str, other_gp_username: str) -> int:
    """Make the demo's advice requests; return how many were made (0 if already there)."""
    clinic = Organisation.objects.filter(name=clinic_name).first()
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    gp, other_gp = users.get(gp_username), users.get(other_gp_username)
    doctor, nurse = users.get("demo-clinic-doctor"), users.get("demo-clinic-nurse")
    if clinic is None or gp is None or other_gp is None or doctor is None or nurse is None:
        return 0
    practice = gp.organisation
    if practice is None or AdviceRequest.objects.filter(clinic=clinic).exists():
        return 0
    patients = list(Patient.objects.filter(listed_practice=practice).order_by("cpr")[:3])
    made = 0

    # 1. About a patient: answered the next working day, closed "advice sufficient", and
    #    turned into a published article (written by the doctor, approved by the nurse).
    first = ask_for_advice(
        by=gp,
        patient=patients[0] if patients else None,
        clinic_id=clinic.pk,
        subject="Nedtrapning efter 2 års opioidbehandling",
        question=(
            "Patienten har taget opioiderne på medicinlisten i to år og ønsker at trappe ned. "
            "Hvor hurtigt kan vi gå frem, og skal vi samle det på ét depotpræparat først?"
        ),
        category="taper_strategy",
    )
    reply_to_advice_request(
        advice_request=first,
        by=doctor,
        kind="answer",
        body=(
            "Saml først behandlingen på ét depotopioid til faste tider, og stop de "
            "korttidsvirkende. Reducér derefter med ca. 10 % af startdosis hver 4. uge, hold "
            "pause ved abstinenser, og sæt farten ned under halv dosis. Vær opmærksom på "
            "gabapentin sammen med opioid. Aftal faste kontroller mindst hver 4. uge."
        ),
    )
    _backdate(first, _working_days_ago(8), _working_days_ago(7))
    first.refresh_from_db()
    close_advice_request(advice_request=first, by=gp, outcome=Outcome.ADVICE_SUFFICIENT)
    article = start_article(
        advice_request=first,
        by=doctor,
        title="Nedtrapning efter langvarig opioidbehandling",
        category="taper_strategy",
        body=(
            "Tager patienten flere opioider, så saml først behandlingen på ét depotopioid til "
            "faste tider. Et udgangspunkt for nedtrapningen er 10 % af startdosis hver 4. uge. "
            "Hold pause ved abstinenser i stedet for at gå op igen, og sæt farten ned, når "
            "dosis er under det halve. Aftal faste kontroller mindst hver 4. uge."
        ),
    )
    article = submit_article(
        article=article, by=doctor, source_request=first, warnings_checked=True
    )
    approve_article(article=article, by=nurse)
    made += 1

    # 2. A general question from another practice, answered, awaiting the GP's close-out.
    second = ask_for_advice(
        by=other_gp,
        clinic_id=clinic.pk,
        subject="Gabapentin sammen med opioider",
        question="Hvornår er det forsvarligt at give gabapentin til en patient i opioidbehandling?",
        category="alternatives",
    )
    reply_to_advice_request(
        advice_request=second,
        by=nurse,
        kind="answer",
        body="Kombinationen øger risikoen for respirationsdepression; start lavt og følg op tæt.",
    )
    _backdate(second, _working_days_ago(3), _working_days_ago(1))
    made += 1

    # 3. Open, assigned to the clinic nurse, asked yesterday (within target).
    third = ask_for_advice(
        by=gp,
        patient=patients[1] if len(patients) > 1 else None,
        clinic_id=clinic.pk,
        subject="Abstinenser i uge 3 af nedtrapningen",
        question="Patienten har uro og svedeture. Skal vi holde pause eller sætte dosis op?",
        category="withdrawal",
        urgency="urgent",
    )
    assign_advice_request(advice_request=third, by=doctor, to_id=nurse.pk)
    _backdate(third, _working_days_ago(1), None)
    made += 1

    # 4. Overdue: asked more than three working days ago, not yet answered.
    fourth = ask_for_advice(
        by=other_gp,
        clinic_id=clinic.pk,
        subject="Omregning fra tramadol til morfin",
        question="Hvilken omregningsfaktor bruger klinikken for tramadol?",
        category="switching",
    )
    _backdate(fourth, _working_days_ago(6), None)
    made += 1

    # 5. Telephone advice, recorded by the clinic so it is counted.
    record_telephone_advice(
        by=doctor,
        practice=practice,
        asked_by_id=gp.pk,
        called_at=_working_days_ago(2),
        subject="Telefonisk: henvisning til hospitalsspor",
        question="Hvornår skal en patient i praksisspor henvises til hospitalssporet?",
        advice="Efter 3 måneder uden effekt, eller tidligere ved svære abstinenser eller misbrug.",
        category="addiction_psychiatry",
    )
    made += 1
    return made
