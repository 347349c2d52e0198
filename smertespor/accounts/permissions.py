"""Which roles may do what, written once; views and the API both ask here."""

from smertespor.accounts.models import Organisation, Requester, Role, RoleChangeRequest, User

PRACTICE_ROLES = frozenset({Role.GP, Role.PRACTICE_NURSE, Role.SECRETARY})
CLINIC_ROLES = frozenset(
    {
        Role.CLINIC_DOCTOR,
        Role.CLINIC_NURSE,
        Role.PSYCHOLOGIST,
        Role.PHYSIOTHERAPIST,
        Role.SOCIAL_WORKER,
        Role.SECRETARY,
    }
)
AGGREGATE_ROLES = frozenset({Role.PLANNER, Role.ADMIN})
# Staff of a hospital department (spine centre, orthopaedics, medical ward): they see the
# patients with an open contact to the department (`departments`), ask for advice and take
# part in teaching; no practice-track work (taper plans, courses, the medication list).
HOSPITAL_DEPARTMENT_ROLES = frozenset({Role.HOSPITAL_DOCTOR})


def is_practice_staff(user: Requester) -> bool:
    return (
        isinstance(user, User)
        and user.role in PRACTICE_ROLES
        and user.organisation is not None
        and user.organisation.kind == Organisation.Kind.GP_PRACTICE
    )


def is_hospital_department_staff(user: Requester) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and user.role in HOSPITAL_DEPARTMENT_ROLES
        and user.organisation is not None
        and user.organisation.kind == Organisation.Kind.HOSPITAL_DEPARTMENT
    )


def can_see_patient_data(user: Requester) -> bool:
    """Planners and administrators see aggregates only, never a patient."""
    return (
        isinstance(user, User)
        and user.is_active
        and user.role not in AGGREGATE_ROLES
        and user.organisation_id is not None
    )


def can_register_patients(user: Requester) -> bool:
    return is_practice_staff(user)


def can_see_aggregates(user: Requester) -> bool:
    return isinstance(user, User) and user.role in AGGREGATE_ROLES


# What an administrator may do in Django's admin: organisations, users (names, e-mail,
# active flag; role and organisation only through a request) and catalogue products. No
# model that holds patient data (patients, advice requests, articles, notifications,
# teaching records), no groups or permissions.
ADMINISTRATOR_ADMIN_PERMISSIONS = frozenset(
    {
        "accounts.view_region",
        "accounts.add_region",
        "accounts.change_region",
        "accounts.view_organisation",
        "accounts.add_organisation",
        "accounts.change_organisation",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "medication.view_catalogueproduct",
        "medication.add_catalogueproduct",
    }
)


def role_admin_permissions(user: Requester) -> frozenset[str]:
    """The Django permissions a user's role gives them (administrators only)."""
    if isinstance(user, User) and user.role == Role.ADMIN and user.is_staff:
        return ADMINISTRATOR_ADMIN_PERMISSIONS
    return frozenset()


def can_administer_users(user: Requester) -> bool:
    """Administrators propose and decide role and organisation changes of other users."""
    return isinstance(user, User) and user.is_active and user.role == Role.ADMIN


def can_propose_role_change(user: Requester, target: User) -> bool:
    """An administrator, for anyone but themselves."""
    return can_administer_users(user) and isinstance(user, User) and user.pk != target.pk


def can_decide_role_change(user: Requester, request: RoleChangeRequest) -> bool:
    """A second administrator: neither the one who proposed it nor the one it changes."""
    return (
        can_administer_users(user)
        and isinstance(user, User)
        and user.pk not in {request.proposed_by_id, request.user_id}
    )
