"""The demo region's teaching programme: a monthly series in the coming months, two single
sessions (one already full), and past sessions with attendance and feedback.

Everything is fictitious. Called from ``smertespor.demo_region.load_demo_region``; loading
again changes nothing.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from smertespor.accounts.models import Organisation, User
from smertespor.teaching.models import (
    Feedback,
    Invitation,
    Registration,
    SessionTopic,
    TeachingSession,
)
from smertespor.teaching.services import create_teaching_sessions, register_for_session
from smertespor.teaching.topics import Topic

CLINIC_ROOM = "Smerteklinikken, Regionshospitalet Silkeborg, mødelokale 3"
ONLINE = "https://video.example/smerteklinikken-undervisning"

PAST_SESSIONS = [
    # title, topics, days ago, minutes, attendees (usernames), feedback (username, rating, comment)
    (
        "Opioider og nedtrapning: de første skridt",
        [Topic.TAPER_STRATEGY],
        270,
        120,
        ["demo-gp", "demo-gp2"],
        [("demo-gp", 5, "Meget konkret. Godt at se en plan regnet igennem.")],
    ),
    (
        "Skift til ét depotopioid: omregning i praksis",
        [Topic.SWITCHING],
        150,
        90,
        ["demo-gp", "demo-practice-nurse"],
        [("demo-practice-nurse", 4, "")],
    ),
    (
        "Abstinenser: hvad kan man forvente, og hvornår skal man holde pause?",
        [Topic.WITHDRAWAL],
        60,
        90,
        ["demo-gp", "demo-gp2", "demo-practice-nurse"],
        [
            ("demo-gp2", 4, "Gerne flere cases med benzodiazepiner."),
            ("demo-gp", 5, ""),
        ],
    ),
]


def _second_tuesday_next_month(now: datetime) -> datetime:
    local = timezone.localtime(now)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    first = local.replace(year=year, month=month, day=1, hour=15, minute=0, second=0, microsecond=0)
    days_to_tuesday = (1 - first.weekday()) % 7
    return first + timedelta(days=days_to_tuesday + 7)


def load_demo_teaching(region_organisations: dict[str, Organisation]) -> int:
    """Create the demo programme once; returns the number of sessions created."""
    clinic = next(
        o for o in region_organisations.values() if o.kind == Organisation.Kind.PAIN_CLINIC
    )
    if TeachingSession.objects.filter(organiser=clinic).exists():
        return 0
    users = {u.username: u for u in User.objects.select_related("organisation")}
    doctor, nurse = users["demo-clinic-doctor"], users["demo-clinic-nurse"]
    now = timezone.now()

    series_start = _second_tuesday_next_month(now)
    series = create_teaching_sessions(
        by=doctor,
        title="ECHO-session: nedtrapning af opioider i almen praksis",
        description=(
            "Kort oplæg og gennemgang af jeres egne (anonymiserede) patientforløb. "
            "Tag gerne en case med."
        ),
        topics=[Topic.TAPER_STRATEGY, Topic.WITHDRAWAL],
        audience=["gps", "practice_nurses"],
        starts_at=series_start,
        ends_at=series_start + timedelta(minutes=90),
        location=CLINIC_ROOM,
        online_url=ONLINE,
        capacity=20,
        teachers=[doctor, nurse],
        repeat="monthly",
        occurrences=6,
    )
    soon = timezone.localtime(now + timedelta(days=18)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    (full,) = create_teaching_sessions(
        by=doctor,
        title="Ketobemidon og oxycodon: omregning og skift",
        topics=[Topic.SWITCHING],
        audience=["gps"],
        starts_at=soon,
        ends_at=soon + timedelta(minutes=60),
        location=CLINIC_ROOM,
        capacity=2,
        teachers=[doctor],
    )
    later = soon + timedelta(days=24)
    create_teaching_sessions(
        by=nurse,
        title="Lænderygsmerter: forløbsprogrammet og henvisning til smertecenter",
        topics=[Topic.LOW_BACK_PAIN, Topic.ALTERNATIVES],
        audience=["gps", "practice_nurses", "hospital_departments"],
        starts_at=later,
        ends_at=later + timedelta(minutes=120),
        online_url=ONLINE,
        capacity=40,
        teachers=[nurse],
        external_teachers="Fysioterapeut fra Tværfagligt Smertecenter",
    )
    register_for_session(by=users["demo-gp"], session=series[0])
    register_for_session(by=users["demo-practice-nurse"], session=series[0])
    for username in ("demo-gp2", "demo-practice-secretary", "demo-gp"):
        register_for_session(by=users[username], session=full)  # the last one waits
    invited = [o for o in region_organisations.values() if o.kind == Organisation.Kind.GP_PRACTICE]
    Invitation.objects.bulk_create(
        Invitation(session=series[0], practice=p, invited_by=doctor) for p in invited[2:5]
    )

    for title, topics, days_ago, minutes, attendees, feedback in PAST_SESSIONS:
        session = TeachingSession.objects.create(
            organiser=clinic,
            title=title,
            for_gps=True,
            for_practice_nurses=True,
            starts_at=timezone.localtime(now - timedelta(days=days_ago)).replace(
                hour=15, minute=0, second=0, microsecond=0
            ),
            duration_minutes=minutes,
            location=CLINIC_ROOM,
            capacity=20,
            created_by=doctor,
        )
        session.teachers.set([doctor])
        SessionTopic.objects.bulk_create(SessionTopic(session=session, topic=t) for t in topics)
        registrations = {}
        for username in attendees:
            user = users[username]
            if user.organisation is None:  # every demo participant works in a practice
                continue
            registrations[username] = Registration.objects.create(
                session=session,
                participant=user,
                organisation=user.organisation,
                status=Registration.Status.REGISTERED,
                queued_at=session.starts_at - timedelta(days=14),
                attended=True,
                attendance_marked_by=nurse,
                attendance_marked_at=session.ends_at,
            )
        for username, rating, comment in feedback:
            Feedback.objects.create(
                registration=registrations[username],
                rating=rating,
                comment=comment,
                given_at=session.ends_at + timedelta(days=1),
            )
    return len(series) + 2 + len(PAST_SESSIONS)
