"""The organiser's side in the Wagtail admin: registrations per event with counts per programme
part and dietary needs, search, CSV/XLSX export, manual add and cancel, and a mail to everyone
registered. `events.view_registration` to look and export, `events.change_registration` to act."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import export, services
from events.forms import MessageForm, RegistrationForm
from events.models import Registration

VIEW = "events.view_registration"
CHANGE = "events.change_registration"


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


MAX_ID = 2**62


def _event(event_id):
    from home.models import EventPage

    if event_id > MAX_ID:
        raise Http404
    return get_object_or_404(EventPage, pk=event_id)


def index(request):
    from home.models import EventPage

    _require(request, VIEW)
    events = (
        EventPage.objects.filter(Q(registration_enabled=True) | Q(registrations__isnull=False))
        .distinct()
        .annotate(
            n_confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
            n_waiting=Count("registrations", filter=Q(registrations__status="waiting")),
            n_offered=Count("registrations", filter=Q(registrations__status="offered")),
        )
        .order_by("-start")
    )
    return TemplateResponse(
        request,
        "events/admin/index.html",
        {"page_title": _("Registrations"), "events": events},
    )


def detail(request, event_id):
    _require(request, VIEW)
    event = _event(event_id)
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("municipality")
        .prefetch_related("options")
    )
    status = request.GET.get("status", "")
    if status in Registration.Status.values:
        registrations = registrations.filter(status=status)
    else:
        status = ""
        registrations = registrations.exclude(status="cancelled")
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        registrations = registrations.filter(
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(organisation__icontains=query)
            | Q(municipality__name__icontains=query)
        )
    state = services.registration_state(event)
    diets = Counter(
        " ".join(d.split()).capitalize()
        for d in Registration.objects.filter(event=event, status__in=Registration.HOLDING)
        .exclude(diet="")
        .values_list("diet", flat=True)
    )
    can_change = request.user.has_perm(CHANGE)
    return TemplateResponse(
        request,
        "events/admin/detail.html",
        {
            "page_title": _("Registrations: %(title)s") % {"title": event.title},
            "event": event,
            "state": state,
            "registrations": registrations.order_by("status", "created_at", "pk")[:2000],
            "status": status,
            "statuses": Registration.Status.choices,
            "query": query,
            "diets": sorted(diets.items()),
            "can_change": can_change,
            "add_form": RegistrationForm(event=event) if can_change else None,
            "message_form": MessageForm() if can_change else None,
        },
    )


def download(request, event_id, fmt):
    _require(request, VIEW)
    if fmt not in export.CONTENT_TYPES:
        raise PermissionDenied
    event = _event(event_id)
    response = HttpResponse(export.export(event, fmt), content_type=export.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="anmalningar-{event.slug}.{fmt}"'
    return response


@require_POST
def add(request, event_id):
    _require(request, CHANGE)
    event = _event(event_id)
    form = RegistrationForm(request.POST, event=event)
    form.fields.pop("consent", None)
    if form.is_valid():
        outcome = services.register(event, form.cleaned_data, by_organiser=True)
        if outcome.result == "duplicate":
            messages.warning(request, _("That address is already registered."))
        else:
            messages.success(
                request,
                _("%(name)s added (%(status)s).")
                % {
                    "name": outcome.registration.name,
                    "status": outcome.registration.get_status_display(),
                },
            )
    else:
        errors = "; ".join(
            f"{form.fields[f].label}: {e[0]}" for f, e in form.errors.items() if f in form.fields
        )
        messages.error(
            request, _("Not added: %(errors)s") % {"errors": errors or form.non_field_errors()}
        )
    return redirect("events_admin:detail", event.pk)


@require_POST
def cancel(request, event_id, pk):
    _require(request, CHANGE)
    if pk > MAX_ID or event_id > MAX_ID:
        raise Http404
    registration = get_object_or_404(Registration, pk=pk, event_id=event_id)
    services.cancel(registration, by="organiser")
    messages.success(request, _("%(name)s cancelled.") % {"name": registration.name})
    return redirect("events_admin:detail", event_id)


def message(request, event_id):
    _require(request, CHANGE)
    event = _event(event_id)
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            count = services.message_all(
                event, form.cleaned_data["subject"], form.cleaned_data["body"]
            )
            messages.success(
                request, _("The message is being sent to %(n)d people.") % {"n": count}
            )
            return redirect("events_admin:detail", event.pk)
        messages.error(request, _("Write a subject and a message."))
    return redirect(reverse("events_admin:detail", args=[event.pk]))
