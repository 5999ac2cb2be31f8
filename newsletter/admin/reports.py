"""A sent issue's report in the Wagtail admin, and the "Senaste utskick" dashboard panel.

Read from the database only: the figures come from the snapshot a task took of Mailchimp's report
(services.campaigns.refresh_report). "Uppdatera nu" queues that task.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies.pages import PagePermissionPolicy

from newsletter.admin import charts
from newsletter.models import Campaign, CampaignStatus, NewsletterIndexPage, NewsletterIssuePage
from newsletter.services import reports as service
from newsletter.tasks import campaigns as tasks

# A second click within this many seconds does not queue another refresh.
REFRESH_DEBOUNCE = 60


def _issue_for(request, page_id) -> NewsletterIssuePage:
    page = get_object_or_404(NewsletterIssuePage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


def _refresh_key(campaign: Campaign) -> str:
    return f"newsletter:report-refresh:{campaign.pk}"


def refresh_requested_at(campaign: Campaign):
    """When "Uppdatera nu" was pressed, while the task has not refreshed the figures since."""
    requested = parse_datetime(cache.get(_refresh_key(campaign)) or "")
    if requested and (
        campaign.report_refreshed_at is None or requested > campaign.report_refreshed_at
    ):
        return requested
    return None


def report_url(page) -> str:
    return reverse("newsletter_report:report", args=[page.pk])


def _count(value) -> str:
    return formats.number_format(int(value or 0), 0, use_l10n=True, force_grouping=True)


def figures(report: dict) -> list[dict]:
    """The headline figures: a count and, where it means something, its rate."""
    return [
        {
            "key": "emails_sent",
            "label": pgettext("report figure", "Emails sent"),
            "count": _count(report.get("emails_sent")),
            "rate": None,
        },
        {
            "key": "delivered",
            "label": pgettext("report figure", "Delivered"),
            "count": _count(report.get("delivered", report.get("emails_sent"))),
            "rate": service.percent(report.get("delivered_rate", 1 if report else 0)),
        },
        {
            "key": "opens",
            "label": pgettext("report figure", "Opened"),
            "count": _count(report.get("unique_opens")),
            "rate": service.percent(report.get("open_rate")),
            "note": _("Apple Mail's automatic opens (Mail Privacy Protection) are not counted."),
        },
        {
            "key": "clicks",
            "label": pgettext("report figure", "Clicked"),
            "count": _count(report.get("unique_clicks")),
            "rate": service.percent(report.get("click_rate")),
            "note": _("%(clicks)s clicks in all.") % {"clicks": _count(report.get("clicks"))},
        },
        {
            "key": "unsubscribes",
            "label": pgettext("report figure", "Unsubscribed"),
            "count": _count(report.get("unsubscribes")),
            "rate": service.percent(report.get("unsubscribe_rate")),
        },
        {
            "key": "bounces",
            "label": pgettext("report figure", "Bounced"),
            "count": _count(report.get("bounces")),
            "rate": service.percent(report.get("bounce_rate")),
            "note": _("%(hard)s hard, %(soft)s soft.")
            % {
                "hard": _count(report.get("hard_bounces")),
                "soft": _count(report.get("soft_bounces")),
            },
        },
    ]


def timeseries_context(report: dict) -> dict | None:
    rows = service.timeseries(report)
    if not rows:
        return None
    labels = [formats.date_format(at, "H:i") for at, _o, _c in rows]
    chart = charts.line_chart(
        labels,
        [
            (_("Opened"), "chart-opens", [o for _a, o, _c in rows]),
            (_("Clicked"), "chart-clicks", [c for _a, _o, c in rows]),
        ],
        fmt=_count,
    )
    first, last = rows[0][0], rows[-1][0]
    return {
        "chart": chart,
        "rows": [
            {"when": formats.date_format(at, "j b H:i"), "opens": o, "clicks": c}
            for at, o, c in rows
        ],
        "total_opens": sum(o for _a, o, _c in rows),
        "total_clicks": sum(c for _a, _o, c in rows),
        "start": formats.date_format(first, "j F Y H:i"),
        "end": formats.date_format(last, "j F Y H:i"),
    }


def comparison_context(campaign: Campaign) -> dict | None:
    issues = service.compared_issues(campaign)
    if len(issues) < 2:
        return None
    labels = [formats.date_format(timezone.localtime(c.sent_at), "j b") for c in issues]
    open_rates = [float((c.report or {}).get("open_rate") or 0) for c in issues]
    click_rates = [float((c.report or {}).get("click_rate") or 0) for c in issues]
    chart = charts.bar_chart(
        labels,
        [
            (_("Open rate"), "chart-opens", open_rates),
            (_("Click rate"), "chart-clicks", click_rates),
        ],
        fmt=service.percent,
        y_max=charts.nice_max(max(open_rates + click_rates))
        if any(open_rates + click_rates)
        else 1,
    )
    return {
        "chart": chart,
        "rows": [
            {
                "title": c.page.title if c.page else c.issue_title,
                "when": formats.date_format(timezone.localtime(c.sent_at), "j F Y"),
                "open_rate": service.percent(o),
                "click_rate": service.percent(k),
                "current": c.pk == campaign.pk,
                "url": report_url(c.page) if c.page and c.pk != campaign.pk else "",
            }
            for c, o, k in zip(issues, open_rates, click_rates, strict=True)
        ],
    }


def report_view(request, page_id):
    page = _issue_for(request, page_id)
    campaign = Campaign.objects.filter(page_id=page.pk).first()
    sent = campaign is not None and campaign.status == CampaignStatus.SENT
    report = (campaign.report or {}) if sent else {}
    title = _("Report")
    context = {
        "issue": page,
        "campaign": campaign,
        "sent": sent,
        "report": report,
        "header_title": f"{title}: {page.title}",
        "header_icon": "mail",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_explore_root"), "label": _("Pages")},
            {"url": reverse("wagtailadmin_pages:edit", args=[page.pk]), "label": page.title},
            {
                "url": reverse("newsletter_campaign:status", args=[page.pk]),
                "label": _("Newsletter mailing"),
            },
            {"url": "", "label": title},
        ],
        "refresh_requested_at": refresh_requested_at(campaign) if campaign else None,
        "can_refresh": bool(
            campaign
            and campaign.mailchimp_id
            and campaign.status in (CampaignStatus.SENT, CampaignStatus.SCHEDULED)
        ),
    }
    if report:
        context.update(
            {
                "figures": figures(report),
                "links": service.link_rows(report),
                "timeseries": timeseries_context(report),
                "comparison": comparison_context(campaign),
            }
        )
    return TemplateResponse(request, "newsletter/admin/campaign_report.html", context)


@require_POST
def refresh_view(request, page_id):
    page = _issue_for(request, page_id)
    campaign = Campaign.objects.filter(page_id=page.pk).first()
    if not (
        campaign
        and campaign.mailchimp_id
        and campaign.status in (CampaignStatus.SENT, CampaignStatus.SCHEDULED)
    ):
        messages.error(request, _("The issue has not been sent yet."))
        return redirect(report_url(page))
    # One queued refresh at a time: a second click within the minute waits for the first.
    if cache.add(_refresh_key(campaign), timezone.now().isoformat(), REFRESH_DEBOUNCE):
        tasks.enqueue(tasks.refresh_campaign_report, campaign.pk)
        messages.success(
            request, _("The figures are being fetched from Mailchimp. Reload the page in a moment.")
        )
    else:
        messages.info(request, _("The figures are already being fetched from Mailchimp."))
    return redirect(report_url(page))


@hooks.register("register_admin_urls")
def register_report_urls():
    from django.urls import include

    urls = [
        path("<int:page_id>/", report_view, name="report"),
        path("<int:page_id>/refresh/", refresh_view, name="refresh"),
    ]
    return [path("newsletter/report/", include((urls, "newsletter_report")))]


@hooks.register("register_page_header_buttons")
def report_header_button(page, user, view_name, next_url=None):
    if (
        isinstance(page.specific_deferred, NewsletterIssuePage)
        and page.pk
        and Campaign.objects.filter(page_id=page.pk, status=CampaignStatus.SENT).exists()
    ):
        yield Button(_("Report"), url=report_url(page), icon_name="doc-full", priority=63)


# ---------------------------------------------------------------------------------------------
# Dashboard


class RecentCampaignsPanel(Component):
    name = "newsletter_recent_campaigns"
    template_name = "newsletter/admin/recent_campaigns_panel.html"
    order = 105

    def __init__(self, rows: list[dict], new_issue_url: str = ""):
        self.rows = rows
        self.new_issue_url = new_issue_url

    def get_context_data(self, parent_context):
        return {"rows": self.rows, "new_issue_url": self.new_issue_url}


def recent_rows(user) -> list[dict]:
    editable = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    rows = []
    for campaign in service.recent_campaigns(editable.values("pk")):
        report = campaign.report or {}
        sent = campaign.status == CampaignStatus.SENT
        when = campaign.sent_at if sent else campaign.scheduled_for
        recipients = report.get("emails_sent") if sent and report else campaign.recipient_count
        rows.append(
            {
                "title": campaign.page.title,
                "status": campaign.get_status_display(),
                "status_key": campaign.status,
                "when": formats.date_format(timezone.localtime(when), "j F Y H:i") if when else "",
                "recipients": _count(recipients) if recipients is not None else "",
                "open_rate": service.percent(report.get("open_rate")) if report else "",
                "click_rate": service.percent(report.get("click_rate")) if report else "",
                "url": report_url(campaign.page)
                if sent
                else reverse("newsletter_campaign:status", args=[campaign.page_id]),
                "sent": sent,
            }
        )
    return rows


@hooks.register("construct_homepage_panels")
def add_recent_campaigns_panel(request, panels):
    rows = recent_rows(request.user)
    # The next issue starts here too, for whoever may write one (shown even before the first send).
    archive = NewsletterIndexPage.objects.first()
    new_issue_url = ""
    if archive and archive.permissions_for_user(request.user).can_add_subpage():
        new_issue_url = reverse("newsletter_new_issue", args=[archive.pk])
    if rows or new_issue_url:
        panels.append(RecentCampaignsPanel(rows, new_issue_url))
