from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from newsletter import tokens
from newsletter.forms import PreferencesForm
from newsletter.services import subscribers as service

from .common import link_problem, load_subscriber, render_page


@require_http_methods(["GET", "POST"])
def preferences(request, token):
    found, problem = load_subscriber(token, tokens.read_preferences_token)
    if problem:
        return link_problem(request, problem)
    subscriber, _data = found
    active = subscriber.status in ("pending", "subscribed")
    initial = {
        "name": subscriber.full_name,
        "organisation": subscriber.organisation,
        "municipality": subscriber.municipality_id,
        "interests": list(subscriber.tags or []),
    }
    form = PreferencesForm(initial=initial)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "unsubscribe":
        service.unsubscribe(subscriber, source="preferences")
        messages.success(request, _("You have unsubscribed. You will get no more newsletters."))
        return redirect(request.path)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid() and active:
            service.update_preferences(
                subscriber,
                name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"],
                interests=form.cleaned_data["interests"],
                municipality=form.cleaned_data["municipality"],
            )
            messages.success(request, _("Your settings have been saved."))
            return redirect(request.path)
        status = 400
    return render_page(
        request,
        "newsletter/subscribers/preferences.html",
        {"form": form, "subscriber": subscriber, "active": active},
        status=status,
    )
