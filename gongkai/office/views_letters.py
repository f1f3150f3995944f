"""Back office for letters (告知书): Word and PDF copies, the organisations' wording, the outbox.

- A letter is downloaded by whoever may open its application in the office (the
  application's ``view_office``); for anyone else it does not exist (404).
- An organisation's administrators (and platform administrators) edit its wording of each
  kind of letter through ``actions_templates``; the page shows where the wording in effect
  comes from (the organisation's own, a government's above it, the platform's, the default).
- The outbox lists the e-mails and SMS sent for the organisations the user handles.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from gongkai.applications import actions_templates as templates
from gongkai.applications import documents
from gongkai.applications.letters import DEFAULTS
from gongkai.applications.models import Letter, LetterKind, LetterTemplate
from gongkai.applications.policies import ApplicationPolicy
from gongkai.applications.policies_templates import LetterTemplatePolicy, MessagePolicy
from gongkai.core.actions import ActionError
from gongkai.notifications.models import MessageChannel, MessageStatus
from gongkai.office.views import apply_action_error, run_form, staff_required
from gongkai.orgs.models import Organisation, Role
from gongkai.orgs.scope import scope_in
from gongkai.portal.downloads import DOWNLOAD_CSP  # a download is a file, never a page of this origin

application_policy = ApplicationPolicy()
template_policy = LetterTemplatePolicy()
message_policy = MessagePolicy()

OUTBOX_PAGE_SIZE = 50
PLATFORM = "platform"


# --- downloads --------------------------------------------------------------------------------


def _letter(request: HttpRequest, pk: int) -> Letter:
    letter = Letter.objects.select_related("application__organisation").filter(pk=pk).first()
    if letter is None or not application_policy.can(request.user, "view_office", letter.application):
        raise Http404
    return letter


def _download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    letter = _letter(request, pk)
    try:
        data = documents.render(letter, fmt)
    except documents.PdfUnavailable as exc:
        return render(
            request,
            "office/letters/unavailable.html",
            {"letter": letter, "message": exc.message},
            status=503,
        )
    response = HttpResponse(data, content_type=documents.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(letter, fmt)}"'
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"  # personal data of the applicant
    return response


@staff_required
@require_safe
def letter_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "docx")


@staff_required
@require_safe
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "pdf")


# --- letter templates -------------------------------------------------------------------------


class TemplateForm(forms.Form):
    """Lenient on purpose: the action checks emptiness, lengths and placeholders, by field."""

    title = forms.CharField(
        label=gettext_lazy("Title"), required=False,
        widget=forms.TextInput(attrs={"maxlength": templates.TITLE_MAX}),
    )  # fmt: skip
    body = forms.CharField(
        label=gettext_lazy("Text"), required=False, strip=False,
        help_text=gettext_lazy("Placeholders in braces, e.g. {case_number}; the list below shows those available."),
        widget=forms.Textarea(attrs={"rows": 18, "maxlength": templates.BODY_MAX}),
    )  # fmt: skip


def _template_orgs(user: Any) -> Any:
    """Organisations whose wording the user edits."""
    if getattr(user, "is_superuser", False):
        return Organisation.objects.order_by("path")
    return Organisation.objects.filter(pk__in=scope_in(user, (Role.ADMIN,))).order_by("path")


def _organisation(request: HttpRequest, org_pk: int | None, kind: str | None = None) -> Organisation | None:
    """The organisation whose wording is edited (None: the platform's), else 404."""
    if kind is not None and kind not in LetterKind.values:
        raise Http404
    org = None
    if org_pk is not None:
        org = Organisation.objects.filter(pk=org_pk).first()
        if org is None:
            raise Http404
    probe = LetterTemplate(organisation=org, kind=kind or LetterKind.REPLY)
    if not template_policy.can(request.user, "change", probe):
        raise Http404
    return org


def _wording(org: Organisation | None) -> dict[str, dict[str, Any]]:
    """Per kind, the wording in effect for ``org`` and where it comes from (one query)."""
    chain = [org.pk, *reversed(org.ancestor_ids())] if org is not None else []
    found = {
        (t.organisation_id, t.kind): t
        for t in LetterTemplate.objects.filter(Q(organisation_id__in=chain) | Q(organisation__isnull=True))
    }
    names = dict(Organisation.objects.filter(pk__in=chain).values_list("pk", "name")) if chain else {}
    result = {}
    for kind in LetterKind.values:
        entry: dict[str, Any] = {"own": found.get((org.pk if org else None, kind))}
        for oid in chain:
            if (oid, kind) in found:
                template = found[(oid, kind)]
                source = (
                    _("own wording") if oid == org.pk else _("from %(org)s") % {"org": names.get(oid, "")}
                )  # type: ignore[union-attr]
                entry.update(title=template.title, body=template.body, source=source)
                break
        else:
            if (None, kind) in found:
                template = found[(None, kind)]
                own = org is None
                entry.update(title=template.title, body=template.body,
                             source=_("own wording") if own else _("platform wording"))  # fmt: skip
            else:
                title, body = DEFAULTS[kind]
                entry.update(title=title, body=body, source=_("default wording"))
        result[kind] = entry
    return result


def _templates_url(org: Organisation | None) -> str:
    return f"{reverse('office:letter_templates')}?organisation={org.pk if org else PLATFORM}"


def _edit_url(org: Organisation | None, kind: str) -> str:
    if org is None:
        return reverse("office:letter_template_platform", args=[kind])
    return reverse("office:letter_template", args=[org.pk, kind])


@never_cache
@staff_required
@require_safe
def letter_templates(request: HttpRequest) -> HttpResponse:
    user = request.user
    orgs = list(_template_orgs(user).values_list("pk", "name", "depth"))
    is_platform_admin = bool(getattr(user, "is_superuser", False))
    if not orgs and not is_platform_admin:
        raise PermissionDenied
    chosen = request.GET.get("organisation", "")
    if chosen == PLATFORM or (not chosen and is_platform_admin):
        org = _organisation(request, None)
    elif chosen:
        if not chosen.isdigit():
            raise Http404
        org = _organisation(request, int(chosen))
    else:
        org = _organisation(request, orgs[0][0])
    wording = _wording(org)
    rows = [
        {"kind": kind, "label": label, "edit_url": _edit_url(org, kind), **wording[kind]}
        for kind, label in LetterKind.choices
    ]
    return render(request, "office/letters/templates.html", {
        "org": org, "orgs": [(pk, name, "— " * max(depth, 0)) for pk, name, depth in orgs],
        "rows": rows, "is_platform_admin": is_platform_admin, "PLATFORM": PLATFORM,
    })  # fmt: skip


@never_cache
@staff_required
def letter_template(request: HttpRequest, kind: str, org_pk: int | None = None) -> HttpResponse:
    org = _organisation(request, org_pk, kind)
    entry = _wording(org)[kind]
    own = entry["own"]
    form = TemplateForm(request.POST or None, initial={"title": entry["title"], "body": entry["body"]})
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        if form.is_valid():
            try:
                title, body = templates.check_template(
                    kind, form.cleaned_data["title"], form.cleaned_data["body"]
                )
            except ActionError as exc:
                apply_action_error(form, exc)
            else:
                preview = templates.preview(kind, title, body)
    else:
        saved = run_form(request, form, lambda d: templates.save_letter_template(
            actor=request.user, organisation=org, kind=kind, title=d["title"], body=d["body"],
        ))  # fmt: skip
        if saved:
            messages.success(request, _("Wording saved. Letters issued from now on use it."))
            return redirect(_templates_url(org))
        if request.method != "POST":
            preview = templates.preview(kind, entry["title"], entry["body"])
    placeholders = [
        {"name": "{" + name + "}", "help": templates.PLACEHOLDER_HELP.get(name, ""),
         "sample": templates.SAMPLES.get(name, "")}
        for name in templates.placeholders(kind)
    ]  # fmt: skip
    return render(request, "office/letters/template_form.html", {
        "org": org, "kind": kind, "kind_label": LetterKind(kind).label, "form": form, "own": own,
        "source": entry["source"], "preview": preview, "placeholders": placeholders,
        "list_url": _templates_url(org), "reset_url": _reset_url(org, kind),
    })  # fmt: skip


def _reset_url(org: Organisation | None, kind: str) -> str:
    if org is None:
        return reverse("office:letter_template_platform_reset", args=[kind])
    return reverse("office:letter_template_reset", args=[org.pk, kind])


@staff_required
@require_POST
def letter_template_reset(request: HttpRequest, kind: str, org_pk: int | None = None) -> HttpResponse:
    org = _organisation(request, org_pk, kind)
    try:
        dropped = templates.reset_letter_template(actor=request.user, organisation=org, kind=kind)
    except ActionError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if dropped:
            messages.success(
                request, _("The organisation's own wording was removed; the inherited wording applies.")
            )
        else:
            messages.info(request, _("There was no own wording to remove."))
    return redirect(_templates_url(org))


# --- the outbox -------------------------------------------------------------------------------


@never_cache
@staff_required
@require_safe
def outbox(request: HttpRequest) -> HttpResponse:
    qs = message_policy.visible_to(request.user).select_related("organisation")
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    filters = {}
    if status in MessageStatus.values:
        qs = qs.filter(status=status)
        filters["status"] = status
    if channel in MessageChannel.values:
        qs = qs.filter(channel=channel)
        filters["channel"] = channel
    page = Paginator(qs.order_by("-created_at", "-id"), OUTBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "office/letters/outbox.html", {
        "page": page, "status": filters.get("status", ""), "channel": filters.get("channel", ""),
        "statuses": MessageStatus.choices, "channels": MessageChannel.choices,
        "query": urlencode(filters),
    })  # fmt: skip
