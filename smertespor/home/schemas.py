"""The home API's shapes: the same sections as the page, in the reader's language."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

SectionKey = Literal[
    "visits",
    "proposals",
    "answered_advice",
    "referrals",
    "discharge_summaries",
    "high_dose",
    "triage",
    "advice_due",
    "appointments",
    "ready_to_discharge",
    "figures",
    "tables",
    "locked_accounts",
    "role_requests",
]


class HomeItemOut(Schema):
    label: str = Field(description="What the row is: a patient's name, a subject, a measure.")
    url: str = Field(description="The page in Smertespor where the work is done.")
    note: str = Field(description="A short note in the reader's language.")
    on: date | None = Field(description="The day the row is due or happened, if it has one.")
    at: datetime | None = Field(description="The time, for appointments and messages.")
    overdue: bool
    patient_id: uuid.UUID | None = Field(
        description="The patient, for clinical roles; never for planners or administrators."
    )


class HomeSectionOut(Schema):
    key: SectionKey
    title: str
    empty: str = Field(description="What the page says when the section has no rows.")
    count: int = Field(description="How many rows there are in all (the page shows a few).")
    more_url: str = Field(description="The page with all of them, or empty.")
    items: list[HomeItemOut]


class HomeOut(Schema):
    today: date
    sections: list[HomeSectionOut]
