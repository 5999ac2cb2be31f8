"""Template tags for the sign-up form that is included on the home page and newsletter pages."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_form(context):
    """The form in the context (shown again with its errors) or a fresh one with a new stamp."""
    from newsletter.forms import SignupForm

    return context.get("signup_form") or SignupForm()


@register.simple_tag(takes_context=True)
def signup_form_on_cached_page(context):
    """True where the page may be cached for everybody: the form must then hold no CSRF token or
    stamp of its own (static/js/signup-form.js fetches fresh ones)."""
    from cms.pagecache import is_excluded

    request = context.get("request")
    return request is not None and not is_excluded(request.path)


@register.simple_tag
def privacy_text():
    from newsletter.forms import PRIVACY_TEXT

    return PRIVACY_TEXT
