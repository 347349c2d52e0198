"""The hospital-contact API's request and response shapes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from smertespor.departments.models import REASON_MAX_LENGTH

# HospitalContact.Kind (a test keeps the two equal).
ContactKindCode = Literal["admission", "outpatient"]


class ContactIn(Schema):
    cpr: Annotated[str, Field(min_length=1, max_length=11, description="DDMMYY-SSSS")]
    name: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            description="The patient's full name as registered at their practice.",
        ),
    ]
    kind: ContactKindCode
    reason: Annotated[str, Field(min_length=1, max_length=REASON_MAX_LENGTH)]
    started_on: date | None = Field(default=None, description="Leave out for today.")


class ContactRecordedOut(Schema):
    """The answer to every valid contact, whatever the CPR number: no patient data."""

    status: Literal["recorded"]
    message: str


class EndContactIn(Schema):
    ended_on: date | None = Field(default=None, description="Leave out for today.")


class ContactOut(Schema):
    id: int
    patient_id: uuid.UUID
    patient_name: str
    kind: ContactKindCode
    reason: str
    started_on: date
    recorded_at: datetime
    ended_on: date | None
    version: int
