"""Notification endpoints: the user's own list, marking one read, marking all read. The same
actions as the notification page (`notifications.actions`)."""

from __future__ import annotations

from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Router

from smertespor.entry.doors import performs
from smertespor.entry.schemas import Id
from smertespor.notifications import actions
from smertespor.notifications.models import Notification
from smertespor.notifications.schemas import NotificationOut, NotificationPage, ReadAllOut
from smertespor.notifications.selectors import notifications_for, unread_count

router = Router(tags=["notifications"])
PAGE_SIZE = 50


def notification_out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "message": notification.message,
        "url": notification.url,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@router.get("", response=NotificationPage, url_name="notifications_list")
def list_notifications(
    request: HttpRequest, show: Literal["all", "unread"] = "all", page: int = 1
) -> dict[str, Any]:
    """Your notifications, newest first (`show=unread` for the unread ones)."""
    rows = notifications_for(request.user, unread_only=show == "unread")
    paginator = Paginator(rows, PAGE_SIZE)
    current = paginator.get_page(max(page, 1))
    return {
        "count": paginator.count,
        "unread": unread_count(request.user),
        "page": current.number,
        "pages": paginator.num_pages,
        "items": [notification_out(n) for n in current.object_list],
    }


@router.post("/{notification_id}/read", response=NotificationOut, url_name="notifications_read")
@performs(actions.read_notification)
def read(request: HttpRequest, notification_id: Id) -> dict[str, Any]:
    """Mark one of your notifications read (another user's is 404)."""
    notification = actions.read_notification(user=request.user, notification_id=notification_id)
    return notification_out(notification)


@router.post("/read-all", response=ReadAllOut, url_name="notifications_read_all")
@performs(actions.read_all_notifications)
def read_all(request: HttpRequest) -> dict[str, int]:
    """Mark all your notifications read; says how many were unread."""
    return {"marked_read": actions.read_all_notifications(user=request.user)}
