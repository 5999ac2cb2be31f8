"""Template helpers for the public site."""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

register = template.Library()

# The header menu (fixed paths: the site's information architecture, not editor content).
NAV_ITEMS = [
    ("/nyheter/", gettext_lazy("News")),
    ("/kalender/", gettext_lazy("Calendar")),
    ("/medlemmar/", gettext_lazy("Members")),
    ("/nyhetsbrev/", gettext_lazy("Newsletter")),
    ("/om-smakom/", gettext_lazy("About SmåKom")),
    ("/search/", gettext_lazy("Search")),
]


@register.inclusion_tag("components/nav.html", takes_context=True)
def main_nav(context):
    request = context.get("request")
    current = request.path if request else ""
    items = [
        {"url": url, "label": label, "active": current.startswith(url)} for url, label in NAV_ITEMS
    ]
    return {"items": items}


def _clock(value) -> str:
    return date_format(value, "H.i")


@register.simple_tag
def event_when(event) -> str:
    """'27–29 april 2022', '5 maj 2022 kl. 10.00–11.00' (local time)."""
    start = timezone.localtime(event.start)
    end = timezone.localtime(event.end) if event.end else None
    if end is None:
        return _("%(date)s at %(time)s") % {
            "date": date_format(start, "j F Y"),
            "time": _clock(start),
        }
    if start.date() == end.date():
        return _("%(date)s at %(start)s–%(end)s") % {
            "date": date_format(start, "j F Y"),
            "start": _clock(start),
            "end": _clock(end),
        }
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{date_format(end, 'j F Y')}"
    if start.year == end.year:
        return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"
    return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"


@register.simple_tag(takes_context=True)
def absolute_url(context, url: str) -> str:
    request = context.get("request")
    if request is None or url.startswith(("http://", "https://")):
        return url
    return request.build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (pagination inside a filter)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.tag("sitewide")
def do_sitewide(parser, token):
    """`{% sitewide "name" [condition] %}…{% endsitewide %}`: a piece that is the same on every
    page and for every visitor (no CSRF token, no form errors), rendered once per process and
    language and kept until the site's content changes (cms.sitecache); rendered afresh when the
    condition is false or the view does not use the copies."""
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError("{% sitewide %} takes a name and an optional condition")
    name = parser.compile_filter(bits[1])
    condition = parser.compile_filter(bits[2]) if len(bits) == 3 else None
    nodelist = parser.parse(("endsitewide",))
    parser.delete_first_token()
    return SitewideNode(nodelist, name, condition)


class SitewideNode(template.Node):
    def __init__(self, nodelist, name, condition):
        self.nodelist, self.name, self.condition = nodelist, name, condition

    def render(self, context):
        from cms import sitecache

        request = context.get("request")
        if request is None or (self.condition is not None and not self.condition.resolve(context)):
            return self.nodelist.render(context)
        key = ("fragment", self.name.resolve(context), get_language())
        return sitecache.kept(request, key, lambda: self.nodelist.render(context))
