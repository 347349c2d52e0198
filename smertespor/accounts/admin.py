"""The Django admin shows an administrator only what the administrator role may do.

Nobody changes a role, an organisation, permissions, groups or the staff and superuser flags
here: those fields are read-only (role and organisation change through a request a second
administrator approves, `smertespor.accounts.services`), and nobody changes their own active
flag. Which models an administrator reaches is `permissions.ADMINISTRATOR_ADMIN_PERMISSIONS`.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from smertespor.accounts.models import Organisation, Region, User

# Changed only through a role-change request (role, organisation) or not at all here.
PROTECTED_FIELDS = (
    "role",
    "organisation",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
    "last_login",
    "date_joined",
)

# Groups carry permissions: editing one would change what its members may do.
admin.site.unregister(Group)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sor_code", "provider_number", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "sor_code", "provider_number"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation__kind", "is_active"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Smertespor"),
            {"fields": ("organisation", "role", "role_change_link", "is_active")},
        ),
        (
            _("Permissions"),
            {
                "fields": ("is_staff", "is_superuser", "groups", "user_permissions"),
                "description": _(
                    "Role and organisation change through a request that a second "
                    "administrator approves: see Role change requests."
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    # A new user starts without role or organisation; the first role is a request too.
    add_fieldsets = DjangoUserAdmin.add_fieldsets

    @admin.display(description=_("Change role or organisation"))
    def role_change_link(self, obj: User) -> str:
        url = reverse("accounts:role_request_create")
        return format_html(
            '<a href="{}?user={}">{}</a>',
            url,
            obj.pk,
            _("Propose a change (a second administrator approves)"),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        readonly = [*PROTECTED_FIELDS, "role_change_link"]
        if obj.pk == request.user.pk:
            readonly.append("is_active")
        return readonly

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """An administrator sets their own password, or a new account's before it has a role;
        never the password of someone who can already work (they would become that person)."""
        target = self.get_object(request, unquote(id))
        is_self = target is not None and target.pk == request.user.pk
        has_work = target is not None and bool(target.role or target.organisation_id)
        if has_work and not is_self and not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)
