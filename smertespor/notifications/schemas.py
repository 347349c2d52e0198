"""The notifications API's shapes: a user's own notifications, in their language."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="A stable code naming what happened, e.g. advice_answered.")
    message: str = Field(description="The text in the reader's language.")
    url: str = Field(description="A page in Smertespor to open, or empty.")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    page: int
    pages: int
    items: list[NotificationOut]


class ReadAllOut(Schema):
    marked_read: int
