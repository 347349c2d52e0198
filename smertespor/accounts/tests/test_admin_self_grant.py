"""Finding: an administrator edited their own user to GP in a practice in Django's admin and
then read that practice's patients. Role, organisation and permissions are not edited there."""

from django.urls import reverse

from smertespor.accounts.models import Role


def _change_form_data(user, **changes):
    joined = user.date_joined
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": joined.strftime("%H:%M:%S"),
        "role": user.role,
        "organisation": user.organisation_id or "",
    }
    data.update(changes)
    return data


def test_an_administrator_cannot_make_themselves_a_gp_and_read_the_practices_patients(
    admin_user, practice, patient, client_for
):
    http = client_for(admin_user)
    url = reverse("admin:accounts_user_change", args=[admin_user.pk])
    http.post(url, _change_form_data(admin_user, role=Role.GP, organisation=practice.pk))

    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert admin_user.organisation_id != practice.pk
    assert not admin_user.is_superuser
    for page in (
        reverse("patients:list"),
        reverse("patients:detail", kwargs={"patient_id": patient.pk}),
    ):
        response = http.get(page)
        assert response.status_code in (403, 404)
        assert patient.name.encode() not in response.content
        assert patient.cpr[:6].encode() not in response.content


def test_an_administrator_cannot_change_another_users_role_in_the_admin(
    admin_user, gp, other_practice, client_for
):
    http = client_for(admin_user)
    url = reverse("admin:accounts_user_change", args=[gp.pk])
    data = _change_form_data(gp, role=Role.CLINIC_DOCTOR, organisation=other_practice.pk)
    data.pop("is_staff")
    data.pop("is_superuser")
    http.post(url, data)

    gp.refresh_from_db()
    assert gp.role == Role.GP
    assert gp.organisation_id != other_practice.pk


def test_a_user_added_in_the_admin_has_no_role_until_a_request_is_approved(admin_user, client_for):
    http = client_for(admin_user)
    response = http.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "ny-bruger",
            "usable_password": "true",
            "password1": "Et-langt-og-godt-kodeord-2026",
            "password2": "Et-langt-og-godt-kodeord-2026",
            "role": Role.GP,
        },
    )
    assert response.status_code == 302
    from smertespor.accounts.models import User

    created = User.objects.get(username="ny-bruger")
    assert created.role == ""
    assert created.organisation_id is None
    assert not created.is_staff


def test_an_administrator_cannot_set_the_password_of_someone_who_works_here(
    admin_user, gp, client_for
):
    http = client_for(admin_user)
    url = reverse("admin:auth_user_password_change", args=[gp.pk])
    response = http.post(
        url,
        {
            "password1": "Et-langt-og-godt-kodeord-2026",
            "password2": "Et-langt-og-godt-kodeord-2026",
        },
    )
    assert response.status_code == 403
    gp.refresh_from_db()
    assert not gp.check_password("Et-langt-og-godt-kodeord-2026")


def test_an_administrator_cannot_deactivate_or_reactivate_themselves(admin_user, client_for):
    http = client_for(admin_user)
    data = _change_form_data(admin_user)
    data.pop("is_active")
    http.post(reverse("admin:accounts_user_change", args=[admin_user.pk]), data)
    admin_user.refresh_from_db()
    assert admin_user.is_active
