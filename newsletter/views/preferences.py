from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from newsletter import ratelimit, tokens
from newsletter.forms import AddressChangeForm, PreferencesForm
from newsletter.services import address_change
from newsletter.services import subscribers as service

from .common import link_problem, load_subscriber, render_page
from .signup import mail_limit_refusal


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
    form = PreferencesForm(initial=initial, subscriber_pk=subscriber.pk)
    address_form = AddressChangeForm()
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "unsubscribe":
        service.unsubscribe(subscriber, source="preferences")
        messages.success(request, _("You have unsubscribed. You will get no more newsletters."))
        return redirect(request.path)
    if action == "change_email":
        address_form = AddressChangeForm(request.POST)
        status = _change_email(request, subscriber, address_form)
        if status == 302:
            return redirect(request.path)
    elif request.method == "POST":
        form = PreferencesForm(request.POST, initial=initial, subscriber_pk=subscriber.pk)
        if form.is_valid() and active:
            # Only what the person changed: what changed meanwhile elsewhere stays.
            service.update_preferences(subscriber, **form.changed_values())
            messages.success(request, _("Your settings have been saved."))
            return redirect(request.path)
        status = 400
    return render_page(
        request,
        "newsletter/subscribers/preferences.html",
        {
            "form": form,
            "address_form": address_form,
            "subscriber": subscriber,
            "active": active,
            "can_change_address": subscriber.status == subscriber.Status.SUBSCRIBED,
        },
        status=status,
    )


def _change_email(request, subscriber, form) -> int:
    """Ask for an address change; the HTTP status to answer with (302: asked, go back)."""
    if subscriber.status != subscriber.Status.SUBSCRIBED:
        form.is_valid()
        form.errors.clear()
        form.add_error(None, _("Only a confirmed subscription can move to another address."))
        return 400
    if not form.is_valid():
        return 400
    new_email = form.cleaned_data["new_email"]
    if new_email == subscriber.email:
        form.add_error("new_email", _("That is already the address of your subscription."))
        return 400
    # Each request mails two addresses: limited per subscription, and the new address counts
    # with the sign-ups (the same kind of mail to an address nobody has proven yet).
    if not ratelimit.hit("address_change_subscriber", str(subscriber.pk)):
        form.add_error(
            None,
            _(
                "You have asked to change the address several times today. Use the link in the "
                "email we sent, or try again tomorrow."
            ),
        )
        return 429
    refusal = mail_limit_refusal(new_email)
    if refusal:
        form.add_error(None, refusal)
        return 429
    outcome = address_change.request_address_change(subscriber, new_email)
    if outcome != "sent":
        # The subscriber left (or changed address) since the page was shown.
        form.add_error(None, _("Your subscription has changed. Reload the page and try again."))
        return 409
    # The same answer whether or not another subscriber has the address: nothing is revealed.
    messages.success(
        request,
        _(
            "We have sent an email to %(email)s. Follow the link in it to move your "
            "subscription there; until then the newsletter keeps coming to %(current)s. We have "
            "also told your current address about the change."
        )
        % {"email": new_email, "current": subscriber.email},
    )
    return 302
