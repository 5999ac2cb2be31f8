"""What the sandbox "sends": campaign mails, test mails, opt-in confirmations, into its inbox."""

from __future__ import annotations

import html as html_lib
import secrets
from urllib.parse import urlencode

from .audiences import subscriber_hash
from .campaigns import new_activity, recipients_of
from .merge import list_values, member_values, preview_text_html, render
from .state import iso


class Delivery:
    def __init__(self, sb):
        self.sb = sb

    @property
    def state(self):
        return self.sb.state

    def add_message(self, **message) -> dict:
        message.setdefault("headers", {})
        message.setdefault("campaign_id", None)
        message.setdefault("list_id", None)
        message.setdefault("member_id", None)
        message.setdefault("html", "")
        message.setdefault("text", "")
        message["id"] = str(self.state.next("message"))
        message["sent_at"] = iso()
        self.state.inbox.append(message)
        return message

    # Per-member links ---------------------------------------------------------------------

    def token_for(self, list_id: str, member: dict) -> str:
        for token, owner in self.state.tokens.items():
            if owner["list_id"] == list_id and owner["member_id"] == member["id"]:
                return token
        token = secrets.token_urlsafe(12)
        self.state.tokens[token] = {"list_id": list_id, "member_id": member["id"]}
        return token

    def unsubscribe_url(self, list_id: str, member: dict | None, campaign_id: str | None) -> str:
        token = self.token_for(list_id, member) if member else "test"
        query = {"u": token, "id": list_id, "e": member["unique_email_id"] if member else ""}
        if campaign_id:
            query["c"] = campaign_id
        return f"{self.sb.base_url}/unsubscribe?{urlencode(query)}"

    def values_for(self, campaign: dict, member: dict | None, unsub_url: str) -> dict:
        list_id = campaign["recipients"].get("list_id")
        audience = self.state.audiences.get(list_id) or next(iter(self.state.audiences.values()))
        settings = campaign["settings"]
        values = list_values(audience)
        values.update(member_values(member))
        values.update(
            {
                "UNSUB": (unsub_url, False),
                "UPDATE_PROFILE": (f"{self.sb.base_url}/_sandbox/inbox", False),
                "ARCHIVE": (campaign["archive_url"], False),
                "MC:SUBJECT": (settings.get("subject_line", ""), False),
                "MC_PREVIEW_TEXT": (settings.get("preview_text", ""), False),
                "LIST:RECIPIENTS": (member["email_address"] if member else "", False),
            }
        )
        return values

    def render_campaign(self, campaign: dict, member: dict | None, unsub_url: str) -> tuple:
        content = self.state.content[campaign["id"]]
        values = self.values_for(campaign, member, unsub_url)
        html_values = dict(values)
        html_values["MC_PREVIEW_TEXT"] = (
            preview_text_html(campaign["settings"].get("preview_text", "")),
            True,
        )
        subject = render(campaign["settings"].get("subject_line", ""), values, is_html=False)
        html = render(content["html"], html_values, is_html=True)
        text = render(content["plain_text"], {**values, "MC_PREVIEW_TEXT": ("", False)}, False)
        return subject, html, text

    def headers(self, campaign: dict, to: str, subject: str, unsub_url: str) -> dict:
        settings = campaign["settings"]
        list_id = campaign["recipients"].get("list_id") or ""
        audience = self.state.audiences.get(list_id, {})
        from_email = audience.get("campaign_defaults", {}).get("from_email", "")
        return {
            "From": f"{settings.get('from_name', '')} <{from_email}>",
            "Reply-To": settings.get("reply_to", ""),
            "To": to,
            "Subject": subject,
            "List-Unsubscribe": f"<{unsub_url}>, <mailto:unsubscribe@sandbox.invalid>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{audience.get('name', '')} <{list_id}.sandbox.list-id.invalid>",
            "X-Mailer": "Mailchimp Sandbox",
        }

    # Sends ----------------------------------------------------------------------------------

    def deliver_campaign(self, campaign: dict) -> int:
        """One message per subscribed recipient; the campaign becomes sent."""
        list_id = campaign["recipients"].get("list_id")
        members = recipients_of(self.sb, campaign)
        activity = new_activity(campaign, self.state.content[campaign["id"]]["html"])
        self.state.activity[campaign["id"]] = activity
        settings = campaign["settings"]
        for member in members:
            unsub = self.unsubscribe_url(list_id, member, campaign["id"])
            subject, html, text = self.render_campaign(campaign, member, unsub)
            if campaign["type"] == "plaintext" or member.get("email_type") == "text":
                html = ""
            self.add_message(
                kind="campaign",
                to=member["email_address"],
                from_name=settings.get("from_name", ""),
                reply_to=settings.get("reply_to", ""),
                subject=subject,
                html=html,
                text=text,
                headers=self.headers(campaign, member["email_address"], subject, unsub),
                campaign_id=campaign["id"],
                list_id=list_id,
                member_id=member["id"],
                unsubscribe_url=unsub,
            )
            activity["recipients"].append(member["email_address"])
        campaign["status"] = "sent"
        campaign["emails_sent"] = len(members)
        campaign["recipients"]["recipient_count"] = len(members)
        campaign["send_time"] = campaign["send_time"] or iso()
        campaign["report_summary"] = {
            "opens": 0,
            "unique_opens": 0,
            "open_rate": 0,
            "clicks": 0,
            "subscriber_clicks": 0,
            "click_rate": 0,
        }
        self.state.campaign_meta[campaign["id"]]["deliver_at"] = None
        self.sb.webhooks.fire_campaign(list_id, campaign)
        return len(members)

    def deliver_test(self, campaign: dict, email: str, plaintext: bool) -> dict:
        list_id = campaign["recipients"].get("list_id") or ""
        members = self.state.members.get(list_id, {})
        member = members.get(subscriber_hash(email))
        # Test mails carry a harmless unsubscribe link, as Mailchimp's do.
        unsub = f"{self.sb.base_url}/unsubscribe?u=test&id={list_id}&c={campaign['id']}"
        subject, html, text = self.render_campaign(campaign, member, unsub)
        subject = f"[Test] {subject}"
        return self.add_message(
            kind="test",
            to=email,
            from_name=campaign["settings"].get("from_name", ""),
            reply_to=campaign["settings"].get("reply_to", ""),
            subject=subject,
            html="" if plaintext else html,
            text=text,
            headers=self.headers(campaign, email, subject, unsub),
            campaign_id=campaign["id"],
            list_id=list_id,
            unsubscribe_url=unsub,
        )

    def send_confirmation(self, list_id: str, member: dict) -> dict:
        """Mailchimp's own double opt-in mail for a pending member."""
        audience = self.state.audiences[list_id]
        token = self.token_for(list_id, member)
        url = f"{self.sb.base_url}/_sandbox/confirm?{urlencode({'u': token, 'id': list_id})}"
        name = audience["name"]
        subject = f"{name}: Bekräfta din prenumeration"
        text = (
            f"Bekräfta din prenumeration på {name}.\n\n"
            f"Klicka här för att bekräfta: {url}\n\n"
            "Om du inte anmält dig kan du bortse från det här mejlet."
        )
        html = (
            f"<h1>Bekräfta din prenumeration</h1><p>{html_lib.escape(name)}</p>"
            f'<p><a href="{html_lib.escape(url)}">Ja, jag vill prenumerera</a></p>'
            "<p>Om du inte anmält dig kan du bortse från det här mejlet.</p>"
        )
        return self.add_message(
            kind="optin",
            to=member["email_address"],
            from_name=audience["campaign_defaults"]["from_name"],
            reply_to=audience["campaign_defaults"]["from_email"],
            subject=subject,
            html=html,
            text=text,
            headers={"Subject": subject, "To": member["email_address"]},
            list_id=list_id,
            member_id=member["id"],
            confirm_url=url,
        )
