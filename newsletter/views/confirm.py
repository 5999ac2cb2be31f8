from django.views.decorators.http import require_http_methods

from cms.clientip import client_ip
from newsletter import tokens
from newsletter.services import subscribers as service

from .common import link_problem, load_subscriber, render_page


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET asks for one click (mail scanners follow links); POST confirms."""
    found, problem = load_subscriber(token, tokens.read_confirm_token)
    if problem:
        return link_problem(request, problem)
    subscriber, data = found
    if request.method == "GET":
        if subscriber.status == subscriber.Status.SUBSCRIBED:
            state = "already"
        elif (
            subscriber.status == subscriber.Status.PENDING and data.nonce == subscriber.token_nonce
        ):
            state = "ask"
        else:
            state = "used"
        return render_page(
            request,
            "newsletter/subscribers/confirm.html",
            {"state": state, "subscriber": subscriber},
            status=200 if state != "used" else 410,
        )
    outcome = service.confirm(
        subscriber,
        nonce=data.nonce,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    state = {"confirmed": "done", "already": "already"}.get(outcome, "used")
    return render_page(
        request,
        "newsletter/subscribers/confirm.html",
        {"state": state, "subscriber": subscriber},
        status=200 if state != "used" else 410,
    )
