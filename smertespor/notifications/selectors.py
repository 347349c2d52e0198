"""Reads of a user's notifications. Every read is scoped to the recipient."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from smertespor.notifications.models import Notification


def notifications_for(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_of(user: Any, notification_id: Any) -> Notification:
    """One of `user`'s own notifications, or 404 (another user's is never shown)."""
    notification = notifications_for(user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    return notification
