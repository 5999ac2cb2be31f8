"""What every token page shares."""

from django.shortcuts import render

from newsletter.models import Subscriber
from newsletter.tokens import TokenError


def private_response(response):
    # Signed links are in the URL: keep them out of caches, search engines and other sites'
    # Referer headers. Not "no-referrer": browsers then send "Origin: null" with the page's own
    # form POSTs, which Django's CSRF check refuses.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def render_page(request, template, context=None, status=200):
    return private_response(render(request, template, context or {}, status=status))


def load_subscriber(token: str, reader):
    """(subscriber or None, error reason or "")."""
    try:
        data = reader(token)
    except TokenError as exc:
        return None, exc.reason
    subscriber = (
        Subscriber.objects.select_related("municipality").filter(pk=data.subscriber_id).first()
    )
    if subscriber is None:
        return None, "gone"
    if not data.matches_address(subscriber):
        # Made for the address the subscriber had before a change: it must not act on the new one.
        return None, "moved"
    return (subscriber, data), ""


def link_problem(request, reason: str):
    status = {"expired": 410, "moved": 410, "gone": 404}.get(reason, 400)
    return render_page(
        request, "newsletter/subscribers/link_problem.html", {"reason": reason}, status=status
    )
