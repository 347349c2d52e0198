"""The load for `benchmarks/web.py`: GPs and clinic nurses working through their pages.

Run by web.py with `locust --headless`; reads the users to sign in as from the environment
(BENCH_GP_USERS, BENCH_CLINIC_USERS: comma-separated usernames, BENCH_PASSWORD) and appends
every request's time to BENCH_SAMPLES_FILE. Every request is named after the page, so the
statistics group by page, not by patient.

Each sample says whether the run was steady: a round starts with every user signing in (a
password hash is deliberately slow: ~0.3 s of CPU each, all at once) and choosing patients,
and pages timed then paid for the sign-ins (in one run the GP patient list, which a GP opens
while signing in, had its p95 at 5× its p50, all of it from the rounds' first seconds). Once
all BENCH_USERS users have started, the run is steady; web.py times pages from the steady
part and counts errors from the whole run.
"""

from __future__ import annotations

import itertools
import os
import re
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, between, events, task

PATIENT_LINK = re.compile(r'href="/patients/([0-9a-f-]{36})/"')
OMEQ_BODY = {
    "lines": [
        {
            "product_id": "morphine-depot-tablet",
            "strength": "30",
            "units_per_dose": "1",
            "doses_per_day": "2",
        },
        {
            "product_id": "oxycodone-capsule",
            "strength": "5",
            "units_per_dose": "1",
            "prn": True,
            "max_doses_per_day": "3",
        },
    ]
}
_SAMPLES_FILE = os.environ.get("BENCH_SAMPLES_FILE")
# Open for the whole locust run (closed on quitting), hence no context manager.
_samples = open(_SAMPLES_FILE, "a") if _SAMPLES_FILE else None  # noqa: SIM115
_USERS = int(os.environ.get("BENCH_USERS", "0"))
_started = 0  # users through on_start (locust's users share one process: no lock needed)


def _user_started() -> None:
    global _started
    _started += 1


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, **_: Any) -> None:
    """Every request's time, so web.py can pool the interleaved rounds' samples."""
    if _samples is not None:
        why = " ".join(str(exception).split())[:200] if exception else ""
        steady = int(_started >= _USERS)
        _samples.write(f"{name}\t{response_time:.3f}\t{0 if exception else 1}\t{steady}\t{why}\n")


@events.quitting.add_listener
def _close(**_: Any) -> None:
    if _samples is not None:
        _samples.close()


_gps = itertools.cycle(os.environ.get("BENCH_GP_USERS", "").split(","))
_nurses = itertools.cycle(os.environ.get("BENCH_CLINIC_USERS", "").split(","))
PASSWORD = os.environ.get("BENCH_PASSWORD", "")


class _FormFields(HTMLParser):
    """The named inputs and selected options of the taper plan form, as a browser sends them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "plan-form":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields[a["name"]] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif (
            tag == "option"
            and self._select
            and ("selected" in a or self._select not in self.fields)
        ):
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "form":
            self._in_form = False


class _SignedIn(HttpUser):
    abstract = True
    wait_time = between(0.3, 0.8)
    username = ""

    def sign_in(self, username: str) -> None:
        self.client.get("/login/", name="login page")
        token = self.client.cookies.get("csrftoken", "")
        response = self.client.post(
            "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{username} could not sign in: {response.status_code}")

    def csrf(self) -> dict[str, str]:
        return {
            "X-CSRFToken": self.client.cookies.get("csrftoken") or "",
            "Referer": f"{self.host}/",
        }

    @task(1)
    def trivial(self) -> None:
        self.client.get("/healthz", name="trivial page (/healthz)")

    @task(1)
    def signed_in(self) -> None:
        # A second baseline: a page with the whole signed-in path (session, navigation, audit
        # row) and almost no data of its own, so a ratio to it shows what the page itself adds.
        self.client.get("/notifications/", name="signed-in page (/notifications/)")


class GP(_SignedIn):
    weight = 3

    def on_start(self) -> None:
        self.sign_in(next(_gps))
        page = self.client.get("/patients/", name="GP patient list").text
        self.patients = list(dict.fromkeys(PATIENT_LINK.findall(page)))[:20]
        self.preview: tuple[str, dict[str, Any]] | None = None
        for patient in self.patients:
            create = self.client.get(f"/tapering/patients/{patient}/new/", name="taper form")
            parser = _FormFields()
            parser.feed(create.text)
            if create.status_code != 200 or len(parser.fields) <= 3:
                continue
            # The form opens on its defaults even when they cannot make a plan (it then says
            # why): a patient whose default plan is refused (422) is not one to time.
            with self.client.post(
                f"/tapering/patients/{patient}/preview/",
                {**parser.fields, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
                headers={**self.csrf(), "HX-Request": "true"},
                name="taper preview (choosing a patient)",
                catch_response=True,
            ) as tried:
                if tried.status_code == 422:
                    tried.success()
                    continue
            self.preview = (patient, parser.fields)
            break
        self.turn = itertools.count()
        _user_started()

    def _patient(self) -> str | None:
        return self.patients[next(self.turn) % len(self.patients)] if self.patients else None

    @task(3)
    def patient_list(self) -> None:
        self.client.get("/patients/", name="GP patient list")

    @task(3)
    def worklist(self) -> None:
        self.client.get("/tracks/worklist/practice/", name="GP worklist")

    @task(3)
    def patient_page(self) -> None:
        patient = self._patient()
        if patient:
            self.client.get(f"/patients/{patient}/", name="patient page")

    @task(2)
    def taper_preview(self) -> None:
        if self.preview:
            patient, fields = self.preview
            self.client.post(
                f"/tapering/patients/{patient}/preview/",
                {**fields, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
                headers={**self.csrf(), "HX-Request": "true"},
                name="taper preview",
            )

    @task(2)
    def omeq(self) -> None:
        self.client.post("/api/omeq", json=OMEQ_BODY, headers=self.csrf(), name="POST /api/omeq")


class ClinicNurse(_SignedIn):
    weight = 1

    def on_start(self) -> None:
        self.sign_in(next(_nurses))
        _user_started()

    @task(4)
    def worklist(self) -> None:
        self.client.get("/tracks/worklist/clinic/", name="clinic worklist")
