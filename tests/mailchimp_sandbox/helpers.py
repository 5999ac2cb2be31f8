"""Building blocks for campaign tests against the sandbox."""

from newsletter.mailchimp.client import call, subscriber_hash

LIST = "testaudience"
GOOD_HTML = (
    "<html><head><title>t</title></head><body>*|MC_PREVIEW_TEXT|*"
    "<p>Hej *|FNAME|* *|LNAME|*!</p>"
    '<p><a href="https://www.smakom.se/nyheter/a/">Läs mer</a></p>'
    '<p><a href="https://www.smakom.se/kalender/">Kalender</a></p>'
    '<p>*|EMAIL|* · <a href="*|UNSUB|*">Avregistrera</a> · <a href="*|ARCHIVE|*">Webbversion</a>'
    "</p><p>*|LIST:ADDRESSLINE|* © *|CURRENT_YEAR|* *|UNKNOWN_TAG|*</p></body></html>"
)


def subscribe(mc, email, fname="", lname="", status="subscribed", list_id=LIST):
    body = {
        "email_address": email,
        "status_if_new": status,
        "merge_fields": {"FNAME": fname, "LNAME": lname},
    }
    return call(mc.lists.set_list_member, list_id, subscriber_hash(email), body)


def ready_campaign(mc, html=GOOD_HTML, list_id=LIST, **settings):
    body = {
        "type": "regular",
        "recipients": {"list_id": list_id},
        "settings": {
            "subject_line": "Nyhetsbrev april",
            "preview_text": "Det här händer i april",
            "title": "Nyhetsbrev 2022-04",
            "from_name": "SmåKom",
            "reply_to": "info@smakom.se",
            **settings,
        },
    }
    campaign = call(mc.campaigns.create, body)
    call(mc.campaigns.set_content, campaign["id"], {"html": html})
    return campaign
