"""The footer facts (postal address, sender, reason) come from the site settings and are pushed to
the Mailchimp audience (contact, campaign defaults, permission reminder), so the preview shows the
footer the sent email will have."""

import pytest

from mailchimp_sandbox.merge import list_values
from mailchimp_sandbox.merge import render as merge_render
from newsletter.rendering import render_email
from newsletter.rendering.email import preview_address
from newsletter.services.audience_settings import address_line, contact_from_settings, push
from newsletter.tasks.audience_settings import push_audience_settings
from tests.newsletter.campaign_fixtures import api_calls
from tests.newsletter.issue_content import make_issue, site_settings

pytestmark = pytest.mark.django_db

DEMO_ADDRESS = "SmåKom\nc/o SKR\nHornsgatan 20\n118 82 Stockholm"
REASON = "Du får det här mejlet eftersom du prenumererar på SmåKoms nyhetsbrev."


def test_the_postal_address_becomes_mailchimps_contact(home_page):
    settings = site_settings(postal_address=DEMO_ADDRESS, contact_phone="0706 725 649")
    contact = contact_from_settings(settings)
    assert contact == {
        "company": "SmåKom",
        "address1": "c/o SKR",
        "address2": "Hornsgatan 20",
        "city": "Stockholm",
        "state": "",
        "zip": "118 82",
        "country": "SE",
        "phone": "0706 725 649",
    }
    assert address_line(contact) == "SmåKom, c/o SKR, Hornsgatan 20, 118 82 Stockholm, Sweden"


def test_the_default_reason_is_the_subscribers_not_a_customers(home_page):
    from cms.models import SiteSettings

    default = SiteSettings._meta.get_field("newsletter_reason").default
    assert default == REASON
    assert "kund" not in default


def test_push_updates_the_audience_once(home_page, mailchimp_sandbox):
    site_settings(
        postal_address=DEMO_ADDRESS,
        newsletter_reason=REASON,
        newsletter_from_name="SmåKom nyhetsbrev",
        newsletter_reply_to="info@smakom.se",
    )
    assert push() is True
    audience = mailchimp_sandbox.state.audiences["testaudience"]
    assert audience["permission_reminder"] == REASON
    assert audience["contact"]["address1"] == "c/o SKR"
    assert audience["contact"]["zip"] == "118 82"
    assert audience["campaign_defaults"]["from_name"] == "SmåKom nyhetsbrev"
    assert audience["campaign_defaults"]["from_email"] == "info@smakom.se"
    # Nothing changed: no second write.
    assert push() is False
    assert len(api_calls(mailchimp_sandbox, "PATCH", "/lists/testaudience")) == 1


def test_saving_the_site_settings_pushes_after_commit(
    home_page, mailchimp_sandbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        site_settings(postal_address="SmåKom\nBox 7\n123 45 Småstad", newsletter_reason=REASON)
    audience = mailchimp_sandbox.state.audiences["testaudience"]
    assert audience["contact"]["address1"] == "Box 7"
    assert audience["contact"]["city"] == "Småstad"


def test_a_failed_push_is_retried_by_the_next_run(home_page, mailchimp_sandbox):
    site_settings(postal_address=DEMO_ADDRESS, newsletter_reason=REASON)
    mailchimp_sandbox.inject(status=503, count=1)
    result = push_audience_settings.enqueue()
    assert result.return_value is False  # logged, not raised; the audience is unchanged
    assert mailchimp_sandbox.state.audiences["testaudience"]["contact"]["address1"] == "Box 123"
    assert push_audience_settings.enqueue().return_value is True
    assert mailchimp_sandbox.state.audiences["testaudience"]["contact"]["address1"] == "c/o SKR"


def test_the_preview_footer_is_the_sent_footer(home_page, mailchimp_sandbox):
    issue = make_issue(home_page)  # (sets the test's default site settings)
    settings = site_settings(postal_address=DEMO_ADDRESS, newsletter_reason=REASON)
    push()
    preview = render_email(issue, backend="preview")
    sent = render_email(issue, backend="mailchimp")
    # What Mailchimp makes of the campaign's merge tags with the audience as pushed.
    audience = mailchimp_sandbox.state.audiences["testaudience"]
    delivered_html = merge_render(sent.html, list_values(audience), is_html=True)
    delivered_text = merge_render(sent.text, list_values(audience), is_html=False)
    line = preview_address(settings)
    assert line == "SmåKom, c/o SKR, Hornsgatan 20, 118 82 Stockholm, Sweden"
    for preview_part, delivered in [(preview.html, delivered_html), (preview.text, delivered_text)]:
        assert line in preview_part and line in delivered
        assert REASON in preview_part and REASON in delivered
    assert "*|LIST:" not in delivered_html
