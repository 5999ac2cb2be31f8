"""The footer facts of every issue come from one place, the site settings: the postal address,
the sender and the reason line ("why you get this"). Mailchimp fills the sent email's address
(*|LIST:ADDRESSLINE|*) and reason (*|LIST:DESCRIPTION|*) from the audience's contact and
permission reminder, so a change in the site settings is pushed there (a task, see
newsletter.tasks.audience_settings), and the preview renders the same line Mailchimp will.

    desired(site_settings) -> {"contact", "permission_reminder", "campaign_defaults"}
    address_line(contact)  -> the address as *|LIST:ADDRESSLINE|* prints it
    push(client=None)      -> True when the audience was changed
"""

from __future__ import annotations

import re

from newsletter.mailchimp import audience

COUNTRY = "SE"
# Mailchimp prints the country's name in the address line.
COUNTRY_NAMES = {"SE": "Sweden", "NO": "Norway", "FI": "Finland", "DK": "Denmark"}
ZIP_CITY = re.compile(r"^(?:SE-?\s*)?(\d{3}\s?\d{2})\s+(.+)$", re.IGNORECASE)
DEFAULT_REASON = "Du får det här mejlet eftersom du prenumererar på SmåKoms nyhetsbrev."


def contact_from_settings(site_settings) -> dict:
    """The postal address (free text, one line per row) as Mailchimp's structured contact."""
    company = (site_settings.organisation_name or "").strip()
    lines = [line.strip() for line in (site_settings.postal_address or "").splitlines()]
    lines = [line for line in lines if line]
    if lines and company and lines[0].casefold() == company.casefold():
        lines = lines[1:]
    zip_code = city = ""
    for index in range(len(lines) - 1, -1, -1):
        match = ZIP_CITY.match(lines[index])
        if match:
            zip_code, city = match.group(1), match.group(2)
            del lines[index]
            break
    return {
        "company": company,
        "address1": lines[0] if lines else "",
        "address2": ", ".join(lines[1:]),
        "city": city,
        "state": "",
        "zip": zip_code,
        "country": COUNTRY,
        "phone": (site_settings.contact_phone or "").strip(),
    }


def address_parts(contact: dict) -> list[str]:
    city_line = " ".join(p for p in [contact.get("zip", ""), contact.get("city", "")] if p)
    country = COUNTRY_NAMES.get(contact.get("country", ""), contact.get("country", ""))
    parts = [
        contact.get("company", ""),
        contact.get("address1", ""),
        contact.get("address2", ""),
        city_line,
        contact.get("state", ""),
        country,
    ]
    return [p for p in parts if p]


def address_line(contact: dict) -> str:
    return ", ".join(address_parts(contact))


def reason(site_settings) -> str:
    return (site_settings.newsletter_reason or "").strip() or DEFAULT_REASON


def desired(site_settings) -> dict:
    return {
        "contact": contact_from_settings(site_settings),
        "permission_reminder": reason(site_settings),
        "campaign_defaults": {
            "from_name": site_settings.from_name,
            "from_email": site_settings.reply_to,
        },
    }


def _differs(current: dict, wanted: dict) -> bool:
    for key, value in wanted.items():
        if isinstance(value, dict):
            have = current.get(key) or {}
            if any((have.get(k) or "") != (v or "") for k, v in value.items()):
                return True
        elif (current.get(key) or "") != value:
            return True
    return False


def push(client=None) -> bool:
    """Bring the audience's contact, permission reminder and sender in line with the site
    settings. Only when the postal address is filled in (Mailchimp refuses an empty contact)."""
    from newsletter.rendering.email import get_site_settings

    site_settings = get_site_settings()
    if not (site_settings.postal_address or "").strip():
        return False
    wanted = desired(site_settings)
    current = audience.get_audience_settings(client=client)
    if not _differs(current, wanted):
        return False
    body = {
        "name": current.get("name") or site_settings.organisation_name,
        "email_type_option": bool(current.get("email_type_option")),
        "permission_reminder": wanted["permission_reminder"],
        "contact": {**(current.get("contact") or {}), **wanted["contact"]},
        "campaign_defaults": {
            **(current.get("campaign_defaults") or {}),
            **wanted["campaign_defaults"],
        },
    }
    body["campaign_defaults"].setdefault("subject", "")
    body["campaign_defaults"].setdefault("language", "sv")
    audience.update_audience_settings(body, client=client)
    return True
