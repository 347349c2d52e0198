"""The pain centre's API: every operation, If-Match on the course's and the appointment's
versioned writes, problems for refusals, nothing saved on bad input."""

import json
from typing import Any

import pytest
from django.utils import timezone

from smertespor.centres.models import CentreCourse, DischargeSummary, OutcomeMeasurement
from smertespor.centres.tests.helpers import an_hour_ago

pytestmark = pytest.mark.django_db


def _post(http, url, body=None, *, if_match=None, method="post"):
    kwargs: dict[str, Any] = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    if if_match is not None:
        kwargs["headers"] = {"If-Match": if_match}
    return getattr(http, method)(url, **kwargs)


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    return response.json()


def test_a_course_runs_through_the_api(
    client_for, referred, centre_doctor, centre_psychologist, gp
):
    http = client_for(centre_doctor)
    base = f"/api/centres/patients/{referred.pk}/courses"
    created = _post(http, base, {"goals": "Mål", "planned_start": str(timezone.localdate())})
    assert created.status_code == 201, created.content
    course = f"{base}/{created.json()['id']}"
    assert created["ETag"] == '"1"'
    assert (
        _post(
            http, f"{course}/team", {"user_id": centre_doctor.pk, "discipline": "doctor"}
        ).status_code
        == 201
    )
    member = _post(
        http, f"{course}/team", {"user_id": centre_psychologist.pk, "discipline": "psychologist"}
    )
    assert member.status_code == 201
    module = _post(http, f"{course}/modules", {"code": "cbt_group"}).json()
    assert module["name"]
    peg = _post(
        http,
        f"{course}/outcomes",
        {
            "instrument": "peg",
            "timepoint": "start",
            "answers": {"pain": 7, "enjoyment": 6, "activity": 5},
            "measured_on": str(timezone.localdate()),
        },
    )
    assert peg.status_code == 201 and peg.json()["score"] == "6"
    read = http.get(course)
    assert read["ETag"] == '"1"'
    started = _post(http, f"{course}/steps", {"event": "start"}, if_match=read["ETag"])
    assert started.status_code == 200, started.content
    assert started["ETag"] == '"2"'
    booked = _post(
        http,
        f"{course}/appointments",
        {
            "starts_at": an_hour_ago().isoformat(),
            "duration_minutes": 90,
            "clinician_id": centre_psychologist.pk,
            "module_id": module["id"],
        },
    )
    assert booked.status_code == 201, booked.content
    appointment = booked.json()
    recorded = _post(
        http,
        f"{course}/appointments/{appointment['id']}/record",
        {"outcome": "attend"},
        if_match=booked["ETag"],
    )
    assert recorded.json()["status"] == "attended"
    body = http.get(course).json()
    assert [o["instrument"] for o in body["outcomes"]] == ["peg"]
    assert body["outcomes"][0]["start"] == "6"
    sent = _post(
        http,
        f"{course}/discharge-summary",
        {"course_summary": "Gennemført", "plan_after": "Egen læge overtager"},
        if_match='"2"',
    )
    assert sent.status_code == 201, sent.content
    assert sent.json()["plan_after"] == "Egen læge overtager"
    assert CentreCourse.objects.get().status == "discharged"
    gp_http = client_for(gp)
    [new] = gp_http.get("/api/centres/summaries/new").json()
    assert new["patient_id"] == str(referred.pk)
    assert _post(gp_http, f"{course}/discharge-summary/acknowledge").status_code == 200
    assert gp_http.get("/api/centres/summaries/new").json() == []


def test_versioned_writes_need_if_match(client_for, referred, centre_doctor):
    from smertespor.centres.tests.helpers import active_course

    course = active_course(referred, centre_doctor)
    url = f"/api/centres/patients/{referred.pk}/courses/{course.pk}"
    http = client_for(centre_doctor)
    body = {"course_summary": "S", "plan_after": "P"}
    _problem(_post(http, f"{url}/discharge-summary", body), 428)
    _problem(_post(http, f"{url}/discharge-summary", body, if_match="*"), 412)
    _problem(_post(http, f"{url}/discharge-summary", body, if_match='"1"'), 409)
    _problem(_post(http, f"{url}/steps", {"event": "cancel", "reason": "x"}, if_match='"1"'), 409)
    assert not DischargeSummary.objects.exists()
    course.refresh_from_db()
    assert course.status == "active"


@pytest.mark.parametrize(
    ("tail", "body", "fields"),
    [
        (
            "/outcomes",
            {
                "instrument": "peg",
                "timepoint": "end",
                "answers": {"pain": 11, "enjoyment": 1, "activity": 1},
                "measured_on": "2020-01-01",
            },
            {"answers.pain"},
        ),
        (
            "/outcomes",
            {"instrument": "sf36", "timepoint": "end", "answers": {}, "measured_on": "2020-01-01"},
            None,
        ),
        ("/modules", {"code": "yoga"}, None),
        ("/team", {"user_id": 999999, "discipline": "doctor"}, {"user_id"}),
        (
            "/appointments",
            {"starts_at": "2099-01-01T10:00:00", "duration_minutes": 45, "clinician_id": 999999},
            None,
        ),
    ],
)
def test_bad_input_is_a_422_problem_and_saves_nothing(
    client_for, referred, centre_doctor, tail, body, fields
):
    from smertespor.centres.tests.helpers import active_course

    course = active_course(referred, centre_doctor)
    url = f"/api/centres/patients/{referred.pk}/courses/{course.pk}{tail}"
    before = (OutcomeMeasurement.objects.count(), course.modules.count(), course.team.count())
    problem = _problem(_post(client_for(centre_doctor), url, body), 422)
    assert problem["errors"]
    if fields:
        assert fields <= {e["field"] for e in problem["errors"]}
    after = (OutcomeMeasurement.objects.count(), course.modules.count(), course.team.count())
    assert after == before


def test_planning_without_a_referral_is_refused(client_for, patient, gp, centre_doctor):
    from smertespor.centres.tests.conftest import refer
    from smertespor.centres.tests.helpers import accepted_referral

    refer(patient, centre_doctor.organisation)  # a care relation alone is not enough
    http = client_for(centre_doctor)
    url = f"/api/centres/patients/{patient.pk}/courses"
    body = {"goals": "Mål", "planned_start": str(timezone.localdate())}
    _problem(_post(http, url, body), 422)
    assert CentreCourse.objects.count() == 0
    referral = accepted_referral(patient, centre_doctor.organisation, gp=gp, doctor=centre_doctor)
    assert _post(http, url, body).status_code == 201
    assert CentreCourse.objects.get().referral == referral
    _problem(_post(http, url, body), 422)  # a second open course
    assert CentreCourse.objects.count() == 1


def test_the_catalogue_names_modules_and_instruments_with_sources(client_for, gp):
    body = client_for(gp).get("/api/centres/catalogue").json()
    assert body["modules"][0]["code"] == "cbt_group"
    peg = next(i for i in body["instruments"] if i["code"] == "peg")
    assert "Krebs" in peg["source"] and len(peg["items"]) == 3


@pytest.mark.parametrize("answer", [True, "7", 7.5, None])
def test_an_answer_must_be_a_whole_number_not_a_lookalike(
    client_for, referred, centre_doctor, answer
):
    from smertespor.centres.tests.helpers import active_course

    course = active_course(referred, centre_doctor)
    body = {
        "instrument": "nrs",
        "timepoint": "end",
        "answers": {"nrs": answer},
        "measured_on": str(timezone.localdate()),
    }
    url = f"/api/centres/patients/{referred.pk}/courses/{course.pk}/outcomes"
    _problem(_post(client_for(centre_doctor), url, body), 422)
    assert not course.measurements.filter(timepoint="end").exists()
