from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsletter import tokens
from newsletter.services import subscribers as service

from .common import link_problem, load_subscriber, private_response, render_page


# The signed token is the authentication; mail clients send the RFC 8058 one-click POST
# (body "List-Unsubscribe=One-Click") with no session and no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a button (link scanners change nothing); POST unsubscribes."""
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    found, problem = load_subscriber(token, tokens.read_unsubscribe_token)
    if problem == "gone":
        # Erased: there is nothing left to unsubscribe, which is what they asked for.
        if one_click:
            return private_response(HttpResponse("OK", content_type="text/plain"))
        return render_page(request, "newsletter/subscribers/unsubscribe.html", {"state": "done"})
    if problem:
        # The one-click POST too: its status for the mail client, the Swedish page for a person
        # (some clients open the answer in a browser).
        return link_problem(request, problem)
    subscriber, _data = found
    if request.method == "GET":
        state = "ask" if subscriber.status in ("pending", "subscribed") else "done"
        return render_page(
            request,
            "newsletter/subscribers/unsubscribe.html",
            {"state": state, "subscriber": subscriber, "token": token},
        )
    service.unsubscribe(
        subscriber,
        source="one_click" if one_click else "unsubscribe_page",
        detail={"method": "rfc8058"} if one_click else {},
    )
    if one_click:
        return private_response(HttpResponse("OK", content_type="text/plain"))
    return render_page(
        request,
        "newsletter/subscribers/unsubscribe.html",
        {"state": "done", "subscriber": subscriber, "just_now": True},
    )


def unsubscribe_help(request):
    """Where to unsubscribe when you arrived without a personal link (e.g. from the web copy)."""
    return render_page(request, "newsletter/subscribers/unsubscribe_help.html")
