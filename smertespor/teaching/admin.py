from django.contrib import admin

from smertespor.teaching.models import (
    Feedback,
    Invitation,
    Registration,
    SessionMaterial,
    SessionSeries,
    SessionTopic,
    TeachingSession,
)


class TopicInline(admin.TabularInline):
    model = SessionTopic
    extra = 0


class MaterialInline(admin.TabularInline):
    model = SessionMaterial
    extra = 0
    fields = ["kind", "title", "url", "filename", "content_type", "size"]
    readonly_fields = ["filename", "content_type", "size"]


@admin.register(TeachingSession)
class TeachingSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "duration_minutes", "capacity", "organiser"]
    list_filter = ["organiser", "topics__topic"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    inlines = [TopicInline, MaterialInline]
    filter_horizontal = ["teachers"]


@admin.register(SessionSeries)
class SessionSeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "repeat", "created_at"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["session", "participant", "organisation", "status", "attended", "queued_at"]
    list_filter = ["status", "attended"]
    raw_id_fields = ["session", "participant"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["registration", "rating", "given_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["session", "practice", "invited_at"]
