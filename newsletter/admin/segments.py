"""The campaign's recipients by name: a chooser of the audience's Mailchimp segments and tags.

The list is the one a task last fetched (newsletter.services.segments); the stored value stays the
segment id. "Hämta segment" queues a fresh fetch, never a Mailchimp call in the request.
"""

from __future__ import annotations

from django import forms
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from wagtail import hooks
from wagtail.admin import messages

from newsletter.models import Campaign
from newsletter.services import campaigns as campaign_service
from newsletter.services import segments as service
from newsletter.tasks import campaigns as campaign_tasks
from newsletter.tasks import segments as tasks


def segment_label(segment: service.Segment) -> str:
    kind = _("tag") if segment.is_tag else _("segment")
    if segment.member_count is None:
        return f"{segment.name} ({kind})"
    count = ngettext("%(count)s subscriber", "%(count)s subscribers", segment.member_count) % {
        "count": segment.member_count
    }
    return f"{segment.name} ({kind}, {count})"


def segment_choices(cache: service.Cached, current_id, current_name: str = "") -> list:
    choices: list = [("", _("The whole audience"))]
    choices += [(str(s.id), segment_label(s)) for s in cache.segments]
    if current_id and cache.find(current_id) is None:
        # Keep what was chosen, even when Mailchimp's list is not here (yet) or lost it.
        name = current_name or _("Segment %(id)s") % {"id": current_id}
        if cache.available:
            note = _("current choice, no longer in Mailchimp's list")
        else:
            note = _("current choice")
        choices.append((str(current_id), f"{name} ({note})"))
    return choices


class RecipientsForm(forms.ModelForm):
    segment_id = forms.TypedChoiceField(
        label=gettext_lazy("Recipients"),
        coerce=int,
        empty_value=None,
        required=False,
        # The search box beside it (templates/newsletter/admin/_recipients_form.html) narrows
        # the options by name (static/js/segment-chooser.js); without JavaScript it is a select.
        widget=forms.Select(attrs={"data-segment-select": ""}),
        help_text=gettext_lazy("The whole audience, or one of its segments or tags."),
    )

    class Meta:
        model = Campaign
        fields = ["segment_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache = service.cached()
        self.fields["segment_id"].choices = segment_choices(
            self.cache, self.instance.segment_id, self.instance.segment_name
        )

    def save(self, commit=True):
        campaign = super().save(commit=False)
        segment = self.cache.find(campaign.segment_id) if campaign.segment_id else None
        if campaign.segment_id is None:
            campaign.segment_name = ""
        elif segment is not None:
            campaign.segment_name = segment.name
        # Otherwise the current choice was kept: so is its name.
        if commit:
            campaign.save()
        return campaign


def _next_url(request) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


@require_POST
def refresh_view(request):
    if not campaign_service.may_send(request.user):
        return HttpResponseForbidden(_("Only someone allowed to send the newsletter may do this."))
    service.request_fetch()
    campaign_tasks.enqueue(tasks.fetch_segments)
    messages.success(
        request,
        _("The segments and tags are being fetched from Mailchimp. Reload the page in a moment."),
    )
    return redirect(_next_url(request))


@hooks.register("register_admin_urls")
def register_segment_urls():
    from django.urls import include

    urls = [path("refresh/", refresh_view, name="refresh")]
    return [path("newsletter/segments/", include((urls, "newsletter_segments")))]
