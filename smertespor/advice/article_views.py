"""Knowledge-base pages: search, read, write from an answered request, check, submit, approve.

The article's source request is loaded through `advice.access` (which logs the patient
access) wherever its text or names are shown or checked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smertespor.accounts.permissions import require
from smertespor.advice.access import advice_request_for
from smertespor.advice.article_services import (
    approve_article,
    article_warnings,
    can_write_article_from,
    start_article,
    submit_article,
    update_article,
)
from smertespor.advice.forms import ArticleForm, ArticleSearchForm, SubmitArticleForm
from smertespor.advice.models import AdviceRequest, Article
from smertespor.advice.permissions import can_read_articles, is_advice_clinician
from smertespor.advice.selectors import ARTICLE_SORTS, article_for, articles_for, thread_of
from smertespor.advice.views import apply_errors, posted_data

PAGE_SIZE = 20


def _source_request(request: HttpRequest, article: Article) -> AdviceRequest | None:
    if article.source_request_id is None or not is_advice_clinician(request.user):
        return None
    return advice_request_for(request.user, article.source_request_id, object_type="advice_article")


@login_required
@require(can_read_articles)
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
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
    from urllib.parse import urlencode

    return urlencode(
        {k: v for k, v in {"q": query, "category": category, "status": status}.items() if v}
    )


@login_required
@require(can_read_articles)
@require_GET
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    article = article_for(request.user, article_id)
    context: dict[str, Any] = {"article": article, "is_clinic": is_advice_clinician(request.user)}
    if not article.is_published and context["is_clinic"]:
        source = _source_request(request, article)
        context["warnings"] = article_warnings(
            title=article.title, body=article.body, advice_request=source
        )
        context["submit_form"] = SubmitArticleForm()
        context["can_approve"] = (
            article.status == Article.Status.AWAITING_APPROVAL
            and article.submitted_by_id != request.user.pk
        )
    return render(request, "advice/articles/detail.html", context)


def _editor(
    request: HttpRequest, form: ArticleForm, source: AdviceRequest | None, article: Article | None
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
    return render(request, "advice/articles/edit.html", context)


@login_required
@require(is_advice_clinician)
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest, request_id: int) -> HttpResponse:
    source = advice_request_for(request.user, request_id, object_type="advice_article")
    if not can_write_article_from(request.user, source):
        raise PermissionDenied
    form = ArticleForm(posted_data(request), initial={"category": source.category})
    if request.method == "POST" and form.is_valid():
        try:
            article = start_article(advice_request=source, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("The draft is saved. Submit it for a colleague's approval.")
            )
            return redirect("advice:article_detail", article_id=article.pk)
    return _editor(request, form, source, None)


@login_required
@require(is_advice_clinician)
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = article_for(request.user, article_id)
    if article.is_published or article.clinic_id != request.user.organisation_id:  # type: ignore[union-attr]
        raise PermissionDenied
    source = _source_request(request, article)
    initial = {"title": article.title, "body": article.body, "category": article.category}
    form = ArticleForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_article(article=article, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("advice:article_detail", article_id=article.pk)
    return _editor(request, form, source, article)


@login_required
@require(is_advice_clinician)
@require_POST
def article_check(request: HttpRequest) -> HttpResponse:
    """The editor's warnings for the text as typed (htmx), without saving anything."""
    source = None
    request_id = request.POST.get("request_id", "")
    if request_id:
        source = advice_request_for(request.user, request_id, object_type="advice_article")
    warnings = article_warnings(
        title=request.POST.get("title", "")[:1000],
        body=request.POST.get("body", "")[:50_000],
        advice_request=source,
    )
    return render(
        request, "advice/articles/_warnings.html", {"warnings": warnings, "checked": True}
    )


@login_required
@require(is_advice_clinician)
@require_POST
def article_submit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = article_for(request.user, article_id)
    form = SubmitArticleForm(request.POST)
    form.is_valid()
    try:
        submit_article(
            article=article,
            by=request.user,
            warnings_checked=bool(form.cleaned_data.get("warnings_checked")),
            source_request=_source_request(request, article),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The article awaits a colleague's approval."))
    return redirect("advice:article_detail", article_id=article.pk)


@login_required
@require(is_advice_clinician)
@require_POST
def article_approve(request: HttpRequest, article_id: int) -> HttpResponse:
    article = article_for(request.user, article_id)
    try:
        approve_article(article=article, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The article is published to every general practice."))
    return redirect("advice:article_detail", article_id=article.pk)
