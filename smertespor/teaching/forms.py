"""Teaching forms: parse input at the boundary; the services validate (once) and save."""

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smertespor.accounts.models import Organisation, User
from smertespor.accounts.permissions import CLINIC_ROLES
from smertespor.entry.forms import IntegerField
from smertespor.teaching.models import Audience, Registration, SessionSeries, TeachingSession
from smertespor.teaching.permissions import CLINIC_KINDS
from smertespor.teaching.topics import Topic
from smertespor.versions import VersionField


def _clinic_staff() -> QuerySet[User]:
    """Who can be chosen as a teacher (evaluated each time a form is made)."""
    return (
        User.objects.filter(
            is_active=True, role__in=CLINIC_ROLES, organisation__kind__in=CLINIC_KINDS
        )
        .select_related("organisation")
        .order_by("last_name", "first_name")
    )


class TeacherChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Model) -> str:
        if isinstance(obj, User):
            return f"{obj.get_full_name() or obj.username} ({obj.organisation})"
        return super().label_from_instance(obj)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What participants will learn, and any preparation."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The same topics as advice requests, so practices can be invited to match."),
    )
    audience = forms.MultipleChoiceField(
        label=_("For"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    location = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Room and address. Leave empty for an online-only session."),
    )
    online_url = forms.URLField(
        label=_("Online link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A video meeting link. A session needs a place, a link or both."),
    )
    capacity = IntegerField(
        label=_("Places"), help_text=_("When the places are taken, sign-ups join a waiting list.")
    )
    teachers = TeacherChoiceField(
        label=_("Teachers"),
        queryset=_clinic_staff(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Teachers can mark attendance. Hold Ctrl (or ⌘) to choose several."),
    )
    external_teachers = forms.CharField(
        label=_("Other teachers"),
        max_length=300,
        required=False,
        help_text=_("Guest teachers without a Smertespor login."),
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        return {
            "title": data["title"],
            "description": data["description"],
            "topics": data["topics"],
            "audience": data["audience"],
            "starts_at": datetime.combine(data["date"], data["start_time"], tzinfo=zone),
            "ends_at": datetime.combine(data["date"], data["end_time"], tzinfo=zone),
            "location": data["location"],
            "online_url": data["online_url"],
            "capacity": data["capacity"],
            "teachers": list(data["teachers"]),
            "external_teachers": data["external_teachers"],
        }

    @classmethod
    def initial_for(cls, session: TeachingSession) -> dict[str, Any]:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {
            "title": session.title,
            "description": session.description,
            "topics": session.topic_values,
            "audience": session.audience,
            "date": starts.date(),
            "start_time": starts.time(),
            "end_time": ends.time(),
            "location": session.location,
            "online_url": session.online_url,
            "capacity": session.capacity,
            "teachers": list(session.teachers.all()),
            "external_teachers": session.external_teachers,
        }


class SessionEditForm(SessionForm):
    version = VersionField()

    @classmethod
    def initial_for(cls, session: TeachingSession) -> dict[str, Any]:
        return {**super().initial_for(session), "version": session.version}


class SessionCreateForm(SessionForm):
    repeat = forms.ChoiceField(
        label=_("Repeat"),
        choices=[("", _("Does not repeat")), *SessionSeries.Repeat.choices],
        required=False,
    )
    occurrences = IntegerField(
        label=_("Number of sessions"),
        initial=1,
        help_text=_("With a repetition: how many sessions to create, each a copy of this one."),
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {
            **super().service_kwargs(),
            "repeat": self.cleaned_data["repeat"],
            "occurrences": self.cleaned_data["occurrences"],
        }


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 (poor) to 5 (excellent)."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What worked, what could be better, what you would like taught next."),
    )


class AttendanceForm(forms.Form):
    """One tick box per person signed up (or queued); unticked means absent."""

    def __init__(self, *args: Any, registrations: list[Registration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            self.fields[f"attended_{registration.pk}"] = forms.BooleanField(
                label=str(registration.participant),
                required=False,
                initial=bool(registration.attended),
            )

    def attendance(self) -> dict[int, bool]:
        return {r.pk: bool(self.cleaned_data[f"attended_{r.pk}"]) for r in self.registrations}

    def rows(self) -> list[tuple[Registration, Any]]:
        return [(r, self[f"attended_{r.pk}"]) for r in self.registrations]


class MaterialLinkForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.URLField(
        label=_("Link"),
        max_length=500,
        assume_scheme="https",
        help_text=_("For example a knowledge-base article or a guideline."),
    )


class MaterialFileForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG or JPEG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class InviteForm(forms.Form):
    practices = forms.ModelMultipleChoiceField(
        label=_("Practices"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The practice's staff get a notification in Smertespor."),
    )

    def __init__(self, *args: Any, practices: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["practices"]
        if isinstance(field, forms.ModelMultipleChoiceField):
            field.queryset = practices
