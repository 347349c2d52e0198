"""A background job over the API (forecast, screening, measures): status, progress, result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class JobOut(Schema):
    id: int
    kind: str
    status: str
    done: int
    total: int
    message: str
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None
