"""The role change API's shapes. Coded fields list their values in OpenAPI."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from smertespor.accounts.models import Role, RoleChangeRequest

TaskPermission = Literal["medication.sign_off_conversion_table"]


class RoleChangeIn(Schema):
    user_id: int
    role: Role
    organisation_id: int
    permissions: list[TaskPermission] = []
    reason: Annotated[str, Field(min_length=1, max_length=1000)]


class RoleChangeDecisionIn(Schema):
    note: Annotated[str, Field(max_length=1000)] = ""


class RoleChangeOut(Schema):
    id: int
    user_id: int
    username: str
    proposed_by: str
    proposed_at: datetime
    reason: str
    from_role: Role | Literal[""]
    to_role: Role
    from_organisation_id: int | None
    to_organisation_id: int
    from_permissions: list[str]
    to_permissions: list[str]
    status: RoleChangeRequest.Status
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def resolve_username(obj: RoleChangeRequest) -> str:
        return obj.user.username

    @staticmethod
    def resolve_proposed_by(obj: RoleChangeRequest) -> str:
        return obj.proposed_by.username

    @staticmethod
    def resolve_decided_by(obj: RoleChangeRequest) -> str | None:
        return obj.decided_by.username if obj.decided_by else None
