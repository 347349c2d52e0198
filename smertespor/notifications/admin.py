from django.contrib import admin

from smertespor.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "read_at", "emailed_at"]
    list_filter = ["kind"]
    readonly_fields = ["recipient", "kind", "text", "params", "url", "created_at", "emailed_at"]
    search_fields = ["recipient__username", "kind"]
