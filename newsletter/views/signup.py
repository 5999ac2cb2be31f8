from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cms.clientip import client_ip
from newsletter import ratelimit, tokens
from newsletter.forms import CONSENT_TEXT, PRIVACY_TEXT, SignupForm
from newsletter.services import subscribers as service

from .common import render_page


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.method == "GET":
        return render_page(request, "newsletter/subscribers/signup.html")
    form = SignupForm(request.POST)
    if not ratelimit.hit("signup_ip", ratelimit.ip_key(request)):
        form.is_valid()
        form.errors.clear()
        form.add_error(
            None, _("Too many sign-ups from your network right now. Please try again in an hour.")
        )
        return render_page(
            request, "newsletter/subscribers/signup.html", {"signup_form": form}, status=429
        )
    if not form.is_valid():
        return render_page(
            request, "newsletter/subscribers/signup.html", {"signup_form": form}, status=400
        )
    email = form.cleaned_data["email"]
    refusal = mail_limit_refusal(email)
    if refusal:
        form.add_error(None, refusal)
        return render_page(
            request, "newsletter/subscribers/signup.html", {"signup_form": form}, status=429
        )
    result = service.signup(
        email=email,
        name=form.cleaned_data["name"],
        municipality=form.cleaned_data["municipality"],
        consent_text=f"{CONSENT_TEXT}\n\n{PRIVACY_TEXT}",
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    if result.outcome == "resubscribe_pending":
        return redirect("newsletter:signup_done_mailchimp")
    return redirect("newsletter:signup_done")


def mail_limit_refusal(email: str) -> str:
    """Why no confirmation mail may go to this address now, or "" (and the mail is counted).
    Also for the link to a new address from the preferences page: the same kind of mail.

    The mailbox first (the common case of a repeated form), then its domain, then everyone."""
    mailbox = service.canonical_mailbox(email)
    if not ratelimit.hit("signup_email", mailbox):
        return _(
            "We have already sent several confirmation emails to this address. Check your "
            "inbox and spam folder, or try again tomorrow."
        )
    if not ratelimit.hit("signup_domain", mailbox.rpartition("@")[2]):
        return _(
            "We have received unusually many sign-ups for addresses at this domain. Please try "
            "again in an hour."
        )
    if not ratelimit.hit("signup_global", "all"):
        return _("We have received unusually many sign-ups. Please try again in an hour.")
    return ""


def signup_done(request, via_mailchimp=False):
    return render_page(
        request, "newsletter/subscribers/signup_done.html", {"via_mailchimp": via_mailchimp}
    )


@require_GET
@never_cache
def signup_tokens(request):
    """The CSRF token (its cookie is set with this answer) and a fresh form stamp for the sign-up
    form on a cached page (static/js/signup-form.js). No database access."""
    return JsonResponse({"csrf": get_token(request), "stamp": tokens.make_form_stamp()})
