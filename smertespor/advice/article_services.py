"""Knowledge-base articles: written anew from an answered request, checked for anything that
may identify the patient, and published only when a second clinician approves.

Draft -> awaiting approval (submitted) -> published. Editing a submitted article sends it
back to draft, so the approver always approves the text that is published.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from domain.deidentification import Finding, find_identifiers
from smertespor.accounts.models import User
from smertespor.advice.categories import CATEGORY_VALUES
from smertespor.advice.models import (
    ARTICLE_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    AdviceRequest,
    Article,
)
from smertespor.advice.permissions import ASKING_KINDS, ASKING_ROLES, is_advice_clinician
from smertespor.advice.validation import check_choice, clean_text, field_error
from smertespor.audit.services import AuditAction, record_event
from smertespor.notifications.services import notify
from smertespor.validators import refuse_identifiers
from smertespor.versions import ExpectedVersion, check_version, claim_version

ArticleStatus = Article.Status


def names_in_request(advice_request: AdviceRequest | None) -> list[str]:
    """The other people named by the request: the asker, the clinicians, the authors."""
    if advice_request is None:
        return []
    people: list[User | None] = [advice_request.asked_by, advice_request.assigned_to]
    author_ids = advice_request.messages.exclude(author=None).values_list("author", flat=True)
    people += list(User.objects.filter(pk__in=set(author_ids)))
    names = [p.get_full_name() for p in people if p is not None]
    return [name for name in names if name]


def patient_names_of(advice_request: AdviceRequest | None) -> list[str]:
    """The name of the patient the request was about (none for a general question)."""
    if advice_request is None or advice_request.patient is None:
        return []
    return [advice_request.patient.name]


def article_warnings(
    *, title: str, body: str, advice_request: AdviceRequest | None
) -> list[Finding]:
    """Everything that may identify a patient; those that `block` refuse submit and approval."""
    return list(
        find_identifiers(
            f"{title}\n{body}",
            names=names_in_request(advice_request),
            patient_names=patient_names_of(advice_request),
        )
    )


def refuse_patient_data(article: Article, advice_request: AdviceRequest | None) -> None:
    """A CPR number or the patient's name in the title or text: a hard error (issue 12)."""
    refuse_identifiers(
        {"title": article.title, "body": article.body},
        patient_names=patient_names_of(advice_request),
    )


def _clean(title: str, body: str, category: str) -> tuple[str, str, str]:
    title = clean_text(title, field="title", max_length=SUBJECT_MAX_LENGTH, label=_("a title"))
    body = clean_text(body, field="body", max_length=ARTICLE_MAX_LENGTH, label=_("the text"))
    check_choice(category, CATEGORY_VALUES, field="category")
    return title, body, category


def _log(by: User, article: Article, what: str) -> None:
    record_event(
        user=by,
        action=AuditAction.UPDATE if what != "created" else AuditAction.CREATE,
        object_type="advice_article",
        object_id=str(article.pk),
        detail={"status": article.status, "what": what},
    )


def start_article(
    *, advice_request: AdviceRequest, by: User, title: str, body: str, category: str
) -> Article:
    """A draft written from an answered request (the caller loaded it through `access`)."""
    title, body, category = _clean(title, body, category)
    now = timezone.now()
    with transaction.atomic():
        article = Article.objects.create(
            clinic=advice_request.clinic,
            source_request=advice_request,
            title=title,
            body=body,
            category=category,
            created_by=by,
            created_at=now,
            updated_by=by,
            updated_at=now,
        )
        _log(by, article, "created")
    return article


def update_article(
    *,
    article: Article,
    by: User,
    title: str,
    body: str,
    category: str,
    expected_version: ExpectedVersion = None,
) -> Article:
    if article.is_published:
        raise ValidationError(_("A published article cannot be changed."), code="published")
    title, body, category = _clean(title, body, category)
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        claim_version(locked, expected_version)
        locked.title, locked.body, locked.category = title, body, category
        locked.updated_by, locked.updated_at = by, timezone.now()
        # Approval is for the text as submitted: a change asks for a new submission.
        locked.status = ArticleStatus.DRAFT
        locked.submitted_by, locked.submitted_at, locked.warnings_checked = None, None, False
        locked.save()
        _log(by, locked, "edited")
    return locked


def submit_article(
    *,
    article: Article,
    by: User,
    warnings_checked: bool = False,
    source_request: AdviceRequest | None = None,
    expected_version: ExpectedVersion = None,
) -> Article:
    """Ask a colleague to approve. A CPR number or the patient's name refuses it; with other
    warnings (dates, other names), the writer must say they checked them.

    `source_request` is the article's request as the caller loaded it through `access`.
    """
    check_version(article, expected_version)
    if article.status != ArticleStatus.DRAFT:
        raise ValidationError(_("Only a draft can be submitted for approval."), code="status")
    refuse_patient_data(article, source_request)
    warnings = article_warnings(
        title=article.title, body=article.body, advice_request=source_request
    )
    if warnings and not warnings_checked:
        raise field_error(
            "warnings_checked",
            _(
                "The text has %(count)s warning(s). Rewrite those parts, or confirm that "
                "none of them identifies a patient."
            )
            % {"count": len(warnings)},
            "warnings",
        )
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        claim_version(locked, expected_version)
        locked.status = ArticleStatus.AWAITING_APPROVAL
        locked.submitted_by, locked.submitted_at = by, timezone.now()
        locked.warnings_checked = bool(warnings)
        locked.save()
        _log(by, locked, "submitted")
        colleagues = [
            user
            for user in User.objects.filter(organisation_id=locked.clinic_id, is_active=True)
            if is_advice_clinician(user) and user.pk != by.pk
        ]
        notify(
            colleagues,
            kind="advice_article_submitted",
            text=gettext_noop("An article awaits your approval: %(title)s"),
            params={"title": locked.title},
            url=reverse("advice:article_detail", args=[locked.pk]),
        )
    return locked


def approve_article(
    *,
    article: Article,
    by: User,
    source_request: AdviceRequest | None = None,
    expected_version: ExpectedVersion = None,
) -> Article:
    """A second clinician approves, and the article is published to every practice.

    A CPR number or the name of the patient of `source_request` (loaded by the caller through
    `access`) refuses it, whatever was acknowledged at submission. `expected_version` is the
    version of the text the approver read: an article edited and submitted again since is
    refused (`StaleVersion`), not published unread.
    """
    check_version(article, expected_version)
    if article.status != ArticleStatus.AWAITING_APPROVAL:
        raise ValidationError(_("Only a submitted article can be approved."), code="status")
    if article.submitted_by_id == by.pk:
        raise ValidationError(
            _("A second clinician must approve: you submitted this article yourself."),
            code="same_clinician",
        )
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if locked.status != ArticleStatus.AWAITING_APPROVAL:
            raise ValidationError(_("Only a submitted article can be approved."), code="status")
        refuse_patient_data(locked, source_request)
        claim_version(locked, expected_version)
        locked.status = ArticleStatus.PUBLISHED
        locked.approved_by = by
        locked.published_at = timezone.now()
        locked.full_clean()
        locked.save()
        _log(by, locked, "published")
        readers = User.objects.filter(
            is_active=True,
            role__in=ASKING_ROLES,
            organisation__kind__in=ASKING_KINDS,
        )
        notify(
            list(readers),
            kind="advice_article_published",
            text=gettext_noop("New in the knowledge base: %(title)s"),
            params={"title": locked.title},
            url=reverse("advice:article_detail", args=[locked.pk]),
        )
    return locked
