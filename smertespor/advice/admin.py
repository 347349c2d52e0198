"""Read-mostly admin for support: requests, messages and articles change through the
services (which validate, audit and notify), never by hand."""

from django.contrib import admin
from django.http import HttpRequest

from smertespor.advice.models import AdviceRequest, Article

# No patient data in the list or search: the admin is for administrators, who see none.
REQUEST_FIELDS = ("status", "category", "urgency", "channel", "practice", "clinic", "asked_at")
ARTICLE_FIELDS = ("title", "category", "status", "body", "published_at", "approved_by")


@admin.register(AdviceRequest)
class AdviceRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "status", "category", "urgency", "practice", "clinic", "asked_at"]
    list_filter = ["status", "category", "urgency", "channel"]
    fields = REQUEST_FIELDS
    readonly_fields = REQUEST_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "category", "published_at"]
    list_filter = ["status", "category"]
    search_fields = ["title"]
    fields = ARTICLE_FIELDS
    readonly_fields = ARTICLE_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
