from django.views.decorators.http import require_http_methods

from newsletter import tokens
from newsletter.services import address_change as service

from .common import render_page

TEMPLATE = "newsletter/subscribers/address_change.html"
STATUS = {
    "ask": 200,
    "changed": 200,
    "already": 200,
    "taken": 409,
    "left": 410,
    "moved": 410,
    "superseded": 410,
    "expired": 410,
    "unknown": 410,
    "invalid": 400,
}


@require_http_methods(["GET", "POST"])
def address_change(request, token):
    """The link sent to a new address. GET asks for one click (mail scanners follow links and
    change nothing); POST changes the address. The link holds only a random token: the address
    comes from the stored request."""
    try:
        change = service.find(token)
    except tokens.TokenError as exc:
        return _page(request, exc.reason)
    if change is None:
        return _page(request, "unknown")
    if request.method == "GET":
        state = service.address_change_state(change, change.subscriber)
    else:
        state = service.confirm_address_change(change)
    return _page(request, state, new_email=change.new_email)


def _page(request, state: str, **context):
    return render_page(request, TEMPLATE, {"state": state, **context}, status=STATUS[state])
