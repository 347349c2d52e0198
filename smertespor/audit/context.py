"""The request an audit row belongs to: its id and client address, set by middleware."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip_address: str | None


current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)
