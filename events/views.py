"""Public registration pages: /kalender/<event>/anmalan/ (a route of EventPage) and the personal
link /kalender/anmalan/<token>/ (a route of EventIndexPage). GET shows, POST acts."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from events import services
from events.forms import RegistrationForm, initial_for
from events.models import Registration

RESULTS = {"confirmed", "waiting", "duplicate"}
TOKEN_MAX = 64


def register(request, event):
    if not event.registration_enabled:
        raise Http404
    state = event.registration
    form = None
    error = ""
    status = 200
    if request.method == "POST":
        if not state.is_open:
            error = state.closed_message
            status = 400
        else:
            form = RegistrationForm(request.POST, event=event)
            if form.is_valid():
                try:
                    outcome = services.register(event, form.cleaned_data)
                except services.RegistrationError as exc:
                    error = str(exc)
                    status = 400
                else:
                    return redirect(
                        event.url + event.reverse_subpage("register") + f"?klart={outcome.result}"
                    )
            else:
                status = 400
    elif request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    if form is None and state.is_open:
        form = RegistrationForm(event=event)
    result = request.GET.get("klart", "")
    context = {
        "page": event,
        "event": event,
        "state": state,
        "form": form if state.is_open else None,
        "error": error,
        "result": result if result in RESULTS else "",
    }
    return TemplateResponse(request, "events/register.html", context, status=status)


def _by_token(token: str) -> Registration | None:
    if not token or len(token) > TOKEN_MAX:
        return None
    return (
        Registration.objects.select_related("event", "municipality")
        .filter(token=token, anonymised_at__isnull=True)
        .first()
    )


@never_cache  # personal data (health data in the export): no cache may keep it
def manage(request, token):
    registration = _by_token(token)
    if registration is None:
        return TemplateResponse(request, "events/link_problem.html", {}, status=404)
    event = registration.event
    message = ""
    error = ""
    status = 200
    form = None
    if request.method == "GET" and request.GET.get("export") == "json":
        body = json.dumps(services.export_data(registration), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="min-anmalan.json"'
        return response
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "change":
                form = RegistrationForm(request.POST, event=event, with_email=False)
                if form.is_valid():
                    services.change(registration, form.cleaned_data)
                    message = _("Your registration has been changed.")
                    form = None
                else:
                    status = 400
            elif action == "cancel":
                services.cancel(registration)
                message = _("Your registration is cancelled.")
            elif action == "accept":
                services.accept_offer(registration)
                message = _("Welcome! Your place is confirmed.")
            elif action == "erase":
                services.erase_registrant(registration)
                return TemplateResponse(request, "events/erased.html", {"event": event})
            else:
                error = _("Unknown action.")
                status = 400
        except services.RegistrationError as exc:
            error = str(exc)
            status = 400
        registration.refresh_from_db()
    elif request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    can_change = services.can_change(registration)
    if form is None and can_change:
        form = RegistrationForm(initial=initial_for(registration), event=event, with_email=False)
    context = {
        "page": event,
        "event": event,
        "registration": registration,
        "options": list(registration.options.all()),
        "state": services.registration_state(event),
        "can_change": can_change,
        "form": form if can_change else None,
        "message": message,
        "error": error,
        "position": _position(registration),
    }
    response = TemplateResponse(request, "events/manage.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    # The token is in the URL: never sent to other sites ("no-referrer" would make browsers send
    # Origin: null on the page's own forms, which CSRF rejects).
    response["Referrer-Policy"] = "same-origin"
    return response


def _position(registration):
    from events.emails import waiting_position

    return waiting_position(registration)
