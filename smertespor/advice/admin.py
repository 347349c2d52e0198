"""Read-mostly admin for support: requests, messages and articles change through the
services (which validate, audit and notify), never by hand."""

from django.contrib import admin

from smertespor.advice.models import AdviceRequest, Article


@admin.register(AdviceRequest)
class AdviceRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "status", "category", "urgency", "practice", "clinic", "asked_at"]
    list_filter = ["status", "category", "urgency", "channel"]
    # No patient data in the list or search: the admin is for administrators, who see none.
    fields = ["status", "category", "urgency", "channel", "practice", "clinic", "asked_at"]
    readonly_fields = fields

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "category", "published_at"]
    list_filter = ["status", "category"]
    search_fields = ["title"]
    fields = ["title", "category", "status", "body", "published_at", "approved_by"]
    readonly_fields = fields

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
