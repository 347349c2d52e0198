"""Knowledge-base pages: search, read, write from an answered request, check, submit, approve.

The article's source request is loaded through `advice.access` (which logs the patient
access) wherever its text or names are shown or checked. Writes go through the actions; a
refused one answers 422 with the page and its reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.accounts.requests import SignedInRequest
from smertespor.advice import actions
from smertespor.advice.access import advice_request_for
from smertespor.advice.article_services import article_warnings
from smertespor.advice.forms import (
    ApproveArticleForm,
    ArticleEditForm,
    ArticleForm,
    ArticleSearchForm,
    SubmitArticleForm,
)
from smertespor.advice.models import AdviceRequest, Article
from smertespor.advice.permissions import (
    can_edit_article,
    can_read_articles,
    can_write_article_from,
    is_advice_clinician,
)
from smertespor.advice.selectors import ARTICLE_SORTS, article_for, articles_for, thread_of
from smertespor.advice.views import posted_data
from smertespor.entry.doors import performs
from smertespor.entry.forms import INVALID_STATUS, apply_errors, form_status
from smertespor.entry.rules import require, requires
from smertespor.versions import StaleVersion, stale_form

PAGE_SIZE = 20


@login_required
@requires(can_read_articles)
@require_GET
def article_list(request: SignedInRequest) -> HttpResponse:
    form = ArticleSearchForm(request.GET or None)
    query, category = "", ""
    if form.is_valid():
        query, category = form.cleaned_data["q"], form.cleaned_data["category"]
    sort = request.GET.get("sort", "newest")
    if sort not in ARTICLE_SORTS:
        sort = "newest"
    is_clinic = is_advice_clinician(request.user)
    status = request.GET.get("status", "published" if not is_clinic else "")
    if status not in Article.Status.values:
        status = "" if is_clinic else "published"
    articles = articles_for(request.user, query=query, category=category, sort=sort, status=status)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "status": status,
        "is_clinic": is_clinic,
        "query_string": _query_string(query, category, status),
        "awaiting": articles_for(request.user, status=Article.Status.AWAITING_APPROVAL).count()
        if is_clinic
        else 0,
    }
    return render(request, "advice/articles/list.html", context)


def _query_string(query: str, category: str, status: str) -> str:
    return urlencode(
        {k: v for k, v in {"q": query, "category": category, "status": status}.items() if v}
    )


def _detail_page(
    request: SignedInRequest,
    article: Article,
    *,
    submit_form: SubmitArticleForm | None = None,
    approve_form: ApproveArticleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "article": article,
        "is_clinic": is_advice_clinician(request.user),
        "approve_form": approve_form,
    }
    if not article.is_published and context["is_clinic"]:
        source = actions.source_request_of(request.user, article)
        context["warnings"] = article_warnings(
            title=article.title, body=article.body, advice_request=source
        )
        context["submit_form"] = submit_form or SubmitArticleForm()
        context["can_approve"] = (
            article.status == Article.Status.AWAITING_APPROVAL
            and article.submitted_by_id != request.user.pk
        )
    return render(request, "advice/articles/detail.html", context, status=status)


@login_required
@requires(can_read_articles)
@require_GET
def article_detail(request: SignedInRequest, article_id: int) -> HttpResponse:
    return _detail_page(request, article_for(request.user, article_id))


def _editor(
    request: SignedInRequest,
    form: ArticleForm,
    source: AdviceRequest | None,
    article: Article | None,
) -> HttpResponse:
    data = form.data if form.is_bound else form.initial
    warnings = article_warnings(
        title=str(data.get("title", "")), body=str(data.get("body", "")), advice_request=source
    )
    context = {
        "form": form,
        "article": article,
        "advice_request": source,
        "thread": thread_of(source) if source is not None else [],
        "warnings": warnings,
    }
    return render(request, "advice/articles/edit.html", context, status=form_status(form))


@login_required
@requires(is_advice_clinician)
@require_http_methods(["GET", "POST"])
@performs(actions.start_article)
def article_create(request: SignedInRequest, request_id: int) -> HttpResponse:
    source = advice_request_for(request.user, request_id, object_type="advice_article")
    require(
        request.user,
        can_write_article_from(request.user, source),
        object_type="advice_article",
        object_id=str(source.pk),
    )
    form = ArticleForm(posted_data(request), initial={"category": source.category})
    if request.method == "POST" and form.is_valid():
        try:
            article = actions.start_article(
                user=request.user, request_id=source.pk, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("The draft is saved. Submit it for a colleague's approval.")
            )
            return redirect("advice:article_detail", article_id=article.pk)
    return _editor(request, form, source, None)


@login_required
@requires(is_advice_clinician)
@require_http_methods(["GET", "POST"])
@performs(actions.update_article)
def article_edit(request: SignedInRequest, article_id: int) -> HttpResponse:
    article = article_for(request.user, article_id)
    # A published article is final: its editor is not offered (a change is refused, 422).
    require(
        request.user,
        not article.is_published and can_edit_article(request.user, article.clinic_id),
        object_type="advice_article",
        object_id=str(article.pk),
    )
    source = actions.source_request_of(request.user, article)
    form = ArticleEditForm(posted_data(request), initial=ArticleEditForm.initial_for(article))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_article(
                user=request.user,
                article_id=article.pk,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except StaleVersion as error:
            article.refresh_from_db()
            stale_form(form, ArticleEditForm.initial_for(article), error, version=article.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("advice:article_detail", article_id=article.pk)
    return _editor(request, form, source, article)


@login_required
@requires(is_advice_clinician)
@require_POST
@performs(actions.check_article_text)
def article_check(request: SignedInRequest) -> HttpResponse:
    """The editor's warnings for the text as typed (htmx), without saving anything."""
    warnings = actions.check_article_text(
        user=request.user,
        title=request.POST.get("title", "")[:1000],
        body=request.POST.get("body", "")[:50_000],
        request_id=request.POST.get("request_id") or None,
    )
    return render(
        request, "advice/articles/_warnings.html", {"warnings": warnings, "checked": True}
    )


@login_required
@requires(is_advice_clinician)
@require_POST
@performs(actions.submit_article)
def article_submit(request: SignedInRequest, article_id: int) -> HttpResponse:
    article = article_for(request.user, article_id)
    form = SubmitArticleForm(request.POST)
    if form.is_valid():
        try:
            actions.submit_article(
                user=request.user,
                article_id=article.pk,
                warnings_checked=form.cleaned_data["warnings_checked"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            # The page shows the article as it is now; its hidden version is the current one.
            article.refresh_from_db()
            stale_form(form, {}, error, version=article.version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The article awaits a colleague's approval."))
            return redirect("advice:article_detail", article_id=article.pk)
    return _detail_page(request, article, submit_form=form, status=form_status(form))


@login_required
@requires(is_advice_clinician)
@require_POST
@performs(actions.approve_article)
def article_approve(request: SignedInRequest, article_id: int) -> HttpResponse:
    article = article_for(request.user, article_id)
    form = ApproveArticleForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, article, approve_form=form, status=form_status(form))
    try:
        actions.approve_article(
            user=request.user, article_id=article.pk, expected_version=form.cleaned_data["version"]
        )
    except StaleVersion as error:
        # Not published unread: the page shows the text as it is now, to read and approve.
        article.refresh_from_db()
        stale_form(form, {}, error, version=article.version)
        return _detail_page(request, article, approve_form=form, status=form_status(form))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _detail_page(request, article, status=INVALID_STATUS)
    messages.success(request, _("The article is published to every general practice."))
    return redirect("advice:article_detail", article_id=article.pk)
