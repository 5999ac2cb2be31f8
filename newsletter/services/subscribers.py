"""What happens to a subscriber: sign-up, confirmation, unsubscribe, preferences, import, erasure.

Every change is local and committed first; Mailchimp hears about it through
newsletter.audience_sync (an outbox task with retries), and our own mail is sent by a task
after commit. Nothing here makes a network call.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from home.models import Municipality
from newsletter import audience_sync, emails
from newsletter.models.subscribers import (
    DEFAULT_INTERESTS,
    INTERESTS,
    PendingAddressChange,
    Subscriber,
    SubscriberEvent,
    normalise_email,
    split_name,
)
from newsletter.services import tombstones, webhook_inbox
from newsletter.services.sync import known_to_mailchimp
from newsletter.tokens import new_nonce

Status = Subscriber.Status
INTEREST_VALUES = [value for value, _label in INTERESTS]


class AddressError(ValueError):
    """An address we cannot mail; the message is shown to the person."""


def clean_address(raw: str) -> str:
    """Validate and normalise an address, with a Swedish message for what is wrong.

    International domains (IDN, e.g. "kommun.åre.se") are accepted and stored IDNA-encoded;
    non-ASCII characters before the @ are refused because Mailchimp cannot deliver to them.
    """
    raw = (raw or "").strip()
    if not raw:
        raise AddressError(_("Enter your email address."))
    if len(raw) > 254:
        raise AddressError(_("The email address is too long."))
    if any(unicodedata.category(c) == "Cf" for c in raw):
        # Bidi controls and other invisible characters make an address read differently
        # from what it is.
        raise AddressError(_("The email address contains invisible control characters."))
    local, sep, domain = raw.rpartition("@")
    if not sep or not local:
        raise AddressError(_("Enter a valid email address, for example namn@kommun.se."))
    if '"' in local or "\\" in local:
        # Quoted or escaped local parts ("\\bomb.victim"@…) reach the same mailbox as the plain
        # address under another spelling.
        raise AddressError(
            _(
                "Enter the address without quotation marks or backslashes, for example namn@kommun.se."
            )
        )
    if _is_local_domain(domain):
        raise AddressError(
            _("Enter an address at a domain name, for example namn@kommun.se (not an IP address).")
        )
    if not local.isascii():
        raise AddressError(
            _(
                "Our mailing service cannot deliver to addresses with letters such as å, ä or ö "
                "before the @. Please use another address."
            )
        )
    email = normalise_email(raw)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise AddressError(_("Enter a valid email address, for example namn@kommun.se.")) from exc
    if len(email) > 254:
        raise AddressError(_("The email address is too long."))
    return email


def _is_local_domain(domain: str) -> bool:
    """localhost, an IP literal ([…]) or a bare IP address: nobody's real mailbox."""
    domain = domain.strip().rstrip(".").lower()
    if domain.startswith("[") or domain == "localhost" or domain.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(domain)
    except ValueError:
        return False
    return True


# Providers that ignore dots in the local part (one mailbox, many spellings).
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def canonical_mailbox(email: str) -> str:
    """The mailbox an address is delivered to, for counting: lower-cased, "+tag" removed (and, at
    Gmail, dots removed). Only for rate limits: the subscriber keeps the address they typed."""
    local, _sep, domain = normalise_email(email).rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def clean_interests(values) -> list[str]:
    chosen = [v for v in INTEREST_VALUES if v in set(values or [])]
    return chosen


# --- Sign-up and confirmation -------------------------------------------------------------


@dataclass
class SignupResult:
    # "confirmation_sent": our confirmation mail is on its way (also said when the address is
    # already subscribed, so the form does not reveal who subscribes).
    # "resubscribe_pending": they had left; Mailchimp sends its own confirmation.
    outcome: str
    subscriber: Subscriber


def _awaiting_mailchimp_confirmation(sub: Subscriber) -> bool:
    latest = sub.events.filter(applied=True, to_status=Status.PENDING).order_by("-id").first()
    return bool(latest and latest.detail.get("resubscribe"))


def signup(
    *,
    email: str,
    name: str = "",
    municipality: Municipality | None = None,
    organisation: str = "",
    interests: list[str] | None = None,
    consent_text: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> SignupResult:
    email = clean_address(email)
    try:
        return _signup(
            email, name, municipality, organisation, interests, consent_text, ip, user_agent
        )
    except IntegrityError:
        # Two sign-ups for the same new address at once: the other one created the row.
        return _signup(
            email, name, municipality, organisation, interests, consent_text, ip, user_agent
        )


def _record_signup(sub, name, municipality, organisation, interests, consent_text, ip, user_agent):
    first, last = split_name(name)
    if first or last:
        sub.first_name, sub.last_name = first[:100], last[:100]
    if municipality is not None:
        sub.municipality = municipality
    if organisation:
        sub.organisation = organisation[:160]
    if interests is not None:
        sub.tags = clean_interests(interests) or list(DEFAULT_INTERESTS)
    sub.consent_text = consent_text
    sub.signup_at = timezone.now()
    sub.signup_ip = ip or None
    sub.signup_user_agent = (user_agent or "")[:400]


def _signup(email, name, municipality, organisation, interests, consent_text, ip, user_agent):
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().by_email(email)
        if sub is None:
            # A sign-up through the form is new consent: an earlier erasure no longer applies.
            tombstones.lift(email)
            sub = Subscriber(email=email, status=Status.PENDING, source=Subscriber.Source.WEBSITE)
            sub.tags = list(DEFAULT_INTERESTS)
            _record_signup(
                sub, name, municipality, organisation, interests, consent_text, ip, user_agent
            )
            sub.token_nonce = new_nonce()
            with transaction.atomic():  # savepoint: a concurrent insert raises IntegrityError
                sub.save()
            SubscriberEvent.objects.create(
                subscriber=sub, from_status="", to_status=Status.PENDING, source="website"
            )
            emails.schedule(sub, "confirm")
            return SignupResult("confirmation_sent", sub)

        if sub.status == Status.SUBSCRIBED:
            return SignupResult("confirmation_sent", sub)

        if sub.status == Status.PENDING and _awaiting_mailchimp_confirmation(sub):
            # Signing up again while Mailchimp's confirmation is outstanding: ask again there.
            _record_signup(
                sub, name, municipality, organisation, interests, consent_text, ip, user_agent
            )
            sub.save()
            audience_sync.schedule_push(sub)
            return SignupResult("resubscribe_pending", sub)

        if sub.status == Status.PENDING:
            _record_signup(
                sub, name, municipality, organisation, interests, consent_text, ip, user_agent
            )
            if not sub.token_nonce:
                sub.token_nonce = new_nonce()
            sub.save()
            emails.schedule(sub, "confirm")
            return SignupResult("confirmation_sent", sub)

        # Unsubscribed or cleaned, signing up again.
        _record_signup(
            sub, name, municipality, organisation, interests, consent_text, ip, user_agent
        )
        if known_to_mailchimp(sub):
            # Mailchimp refuses to re-subscribe someone who left ("Member In Compliance State");
            # pushed as pending, Mailchimp sends its own confirmation and its webhook tells us.
            sub.save()
            sub.change_status(
                Status.PENDING, source="website", detail={"resubscribe": True}, push=True
            )
            audience_sync.schedule_push(sub)
            return SignupResult("resubscribe_pending", sub)
        # Never confirmed with us (e.g. unsubscribed from the confirmation mail): our own
        # double opt-in again, with a fresh link.
        sub.token_nonce = new_nonce()
        sub.save()
        sub.change_status(Status.PENDING, source="website", push=False)
        emails.schedule(sub, "confirm")
        return SignupResult("confirmation_sent", sub)


def confirm(sub: Subscriber, *, nonce: str, ip: str | None = None, user_agent: str = "") -> str:
    """Confirm a pending sign-up. Returns "confirmed", "already" (subscribed before) or "used"
    (the link was already used or replaced, or the person has since left)."""
    with transaction.atomic():
        current = Subscriber.objects.select_for_update().get(pk=sub.pk)
        if current.status == Status.SUBSCRIBED:
            return "already"
        if current.status != Status.PENDING or not nonce or nonce != current.token_nonce:
            return "used"
        current.confirmed_at = timezone.now()
        current.confirm_ip = ip or None
        current.confirm_user_agent = (user_agent or "")[:400]
        current.token_nonce = new_nonce()  # the link works once
        current.save(
            update_fields=[
                "confirmed_at",
                "confirm_ip",
                "confirm_user_agent",
                "token_nonce",
                "updated_at",
            ]
        )
        current.change_status(Status.SUBSCRIBED, source="confirm")
        audience_sync.schedule_push(current)
        emails.schedule(current, "welcome")
    sub.refresh_from_db()
    return "confirmed"


# --- Unsubscribe and preferences ----------------------------------------------------------


def unsubscribe(sub: Subscriber, *, source: str, detail: dict | None = None) -> bool:
    """Unsubscribe (idempotent). Returns True if the status changed."""
    with transaction.atomic():
        if sub.status in (Status.UNSUBSCRIBED, Status.CLEANED):
            sub.refresh_from_db()
            if sub.status in (Status.UNSUBSCRIBED, Status.CLEANED):
                return False
        changed = sub.change_status(Status.UNSUBSCRIBED, source=source, detail=detail)
        if changed:
            audience_sync.schedule_push(sub)
    return changed


_KEEP = object()


def update_preferences(
    sub: Subscriber, *, name=_KEEP, organisation=_KEEP, interests=_KEEP, municipality=_KEEP
) -> list[str]:
    """The preferences form: name, organisation, municipality and interests (nothing else); a
    value left out is kept as it is (the form passes only what the person changed)."""
    values = {}
    if name is not _KEEP:
        first, last = split_name(name)
        values.update(first_name=first[:100], last_name=last[:100])
    if organisation is not _KEEP:
        values["organisation"] = (organisation or "")[:160]
    if interests is not _KEEP:
        values["tags"] = clean_interests(interests)
    if municipality is not _KEEP:
        values["municipality"] = municipality
    return save_profile(sub, values, source="preferences")


# What a form may change on a subscriber (never the status: that goes through change_status).
PROFILE_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "organisation",
    "municipality",
    "role",
    "tags",
)


def save_profile(sub: Subscriber, values: dict, *, source: str) -> list[str]:
    """Every write of a subscriber from a form (preferences, admin): the row is read again under
    lock and only the fields whose value changes are saved, so an unsubscribe (or any status
    change) that happened since the form was shown always survives. Returns the changed fields.
    """
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    with transaction.atomic():
        current = Subscriber.objects.select_for_update().get(pk=sub.pk)
        changed = []
        for name, value in values.items():
            if name == "email":
                continue
            attr = "municipality_id" if name == "municipality" else name
            value = value.pk if name == "municipality" and value is not None else value
            if getattr(current, attr) != value:
                setattr(current, attr, value)
                changed.append(attr)
        if "email" in values and change_address(current, values["email"], source=source):
            changed += ["email", "link_nonce", "mailchimp_email", "former_emails"]
        if changed:
            current.save(update_fields=[*changed, "updated_at"])
            # The audience sync's rule, so both sides agree on who is sent to Mailchimp.
            if current.status != Status.PENDING or known_to_mailchimp(current):
                audience_sync.schedule_push(current)
    for field_name in {*changed, *STATUS_FIELDS_READ}:
        setattr(sub, field_name, getattr(current, field_name))
    return changed


STATUS_FIELDS_READ = ("status", "status_changed_at", "cleaned_reason", "mailchimp_needs_push")


def change_address(sub: Subscriber, new_email: str, *, source: str) -> bool:
    """Give a locked subscriber a new address, in memory (the caller saves): the same Mailchimp
    member gets it on the next push (`email_address` on the member with the old address), the
    old address is remembered for erasure, and links made for the old address stop working.
    Returns False if the address is the same."""
    new_email = normalise_email(new_email)
    old = sub.email
    if new_email == old:
        return False
    if known_to_mailchimp(sub) and not sub.mailchimp_email:
        sub.mailchimp_email = old  # what the Mailchimp member is called until the push
    if old not in sub.former_emails:
        sub.former_emails = [*sub.former_emails, old]
    sub.email = new_email
    sub.link_nonce = new_nonce()
    SubscriberEvent.objects.create(
        subscriber=sub,
        from_status=sub.status,
        to_status=sub.status,
        source=source,
        detail={"address_changed": True},
    )
    return True


# --- Editors: import, export, erasure -----------------------------------------------------

IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 50_000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, email, reason)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in Sweden saves "CSV" as Windows-1252.
        return data.decode("cp1252", errors="replace")


def _read_rows(text: str):
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    reader.fieldnames = [
        (f or "").strip().lower().replace(" ", "_") for f in reader.fieldnames or []
    ]
    return reader


HEADER_ALIASES = {
    "email": ["email", "e-post", "epost", "email_address", "e-postadress"],
    "first_name": ["first_name", "förnamn", "fname"],
    "last_name": ["last_name", "efternamn", "lname"],
    "name": ["name", "namn"],
    "organisation": ["organisation", "organization", "org", "organisation/företag"],
    "municipality": ["municipality", "kommun"],
    "role": ["role", "roll"],
    "interests": ["interests", "tags", "intressen", "taggar"],
}


def _pick(row: dict, key: str) -> str:
    for alias in HEADER_ALIASES[key]:
        if row.get(alias):
            return str(row[alias]).strip()
    return ""


def import_csv(data: bytes, *, default_interests: list[str] | None = None) -> ImportReport:
    """Import subscribers who gave consent elsewhere. New addresses become subscribed (source
    import); known ones get empty fields filled in; people who left are never re-subscribed;
    every rejected row is reported with its line number."""
    report = ImportReport()
    if len(data) > IMPORT_MAX_BYTES:
        report.rejected.append((0, "", _("The file is larger than 5 MB.")))
        return report
    text = _decode(data)
    if "\x00" in text:
        # A spreadsheet saved as something other than CSV (or UTF-16 text): nothing is read.
        report.rejected.append(
            (0, "", _("The file is not a CSV text file. Save it as CSV (UTF-8) and try again."))
        )
        return report
    reader = _read_rows(text)
    if not any(alias in reader.fieldnames for alias in HEADER_ALIASES["email"]):
        report.rejected.append((1, "", _("The file has no email column (email or e-post).")))
        return report
    municipalities = {m.name.lower(): m for m in Municipality.objects.all()}
    seen: set[str] = set()
    for line, row in _rows(reader, report):
        if line - 1 > IMPORT_MAX_ROWS:
            report.rejected.append((line, "", _("Too many rows; the rest was not read.")))
            break
        raw = _pick(row, "email")
        try:
            email = clean_address(raw)
        except AddressError as exc:
            report.rejected.append((line, raw[:254], str(exc)))
            continue
        if email in seen:
            report.rejected.append((line, email, _("Duplicate of an earlier row in the file.")))
            continue
        seen.add(email)
        municipality = None
        municipality_name = _pick(row, "municipality")
        if municipality_name:
            municipality = municipalities.get(municipality_name.lower()) or municipalities.get(
                f"{municipality_name.lower()} kommun"
            )
            if municipality is None:
                report.rejected.append(
                    (
                        line,
                        email,
                        _("Unknown municipality: %(name)s") % {"name": municipality_name[:80]},
                    )
                )
                continue
        first, last = _pick(row, "first_name"), _pick(row, "last_name")
        if not (first or last):
            first, last = split_name(_pick(row, "name"))
        values = {
            "first_name": first[:100],
            "last_name": last[:100],
            "organisation": _pick(row, "organisation")[:160],
            "role": _pick(row, "role")[:120],
            "municipality": municipality,
        }
        raw_interests = _pick(row, "interests").replace("|", ";").replace(",", ";")
        interests = clean_interests([i.strip() for i in raw_interests.split(";")])
        outcome = _import_one(email, values, interests or default_interests or DEFAULT_INTERESTS)
        if outcome == "erased":
            report.rejected.append(
                (line, email, _("Was erased at the person's request; not imported again."))
            )
        elif outcome == "left":
            report.rejected.append(
                (line, email, _("Has unsubscribed or been removed; not subscribed again."))
            )
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _rows(reader, report: ImportReport):
    """(line, row) until the end, or until the CSV cannot be read further (a field larger than
    the csv module allows, an unclosed quote…): then the rest is reported as not read, and what
    was imported before stays imported and reported."""
    line = 1
    while True:
        line += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            report.rejected.append(
                (line, "", _("The file could not be read from this row on; the rest was not read."))
            )
            return
        yield line, row


def _import_one(email: str, values: dict, interests: list[str]) -> str:
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().by_email(email)
        if sub is None and tombstones.is_buried(email):
            return "erased"  # consent given elsewhere does not outweigh an erasure request
        if sub is None:
            sub = Subscriber.objects.create(
                email=email,
                status=Status.SUBSCRIBED,
                source=Subscriber.Source.IMPORT,
                tags=list(interests),
                consent_text=_("Imported by an editor (consent given elsewhere)."),
                mailchimp_needs_push=True,
                **values,
            )
            SubscriberEvent.objects.create(
                subscriber=sub, from_status="", to_status=Status.SUBSCRIBED, source="import"
            )
            audience_sync.schedule_push(sub)
            return "created"
        if sub.status in (Status.UNSUBSCRIBED, Status.CLEANED):
            return "left"
        changed = False
        for name, value in values.items():
            if value and not getattr(sub, name):
                setattr(sub, name, value)
                changed = True
        if not changed:
            return "unchanged"
        sub.mailchimp_needs_push = sub.status == Status.SUBSCRIBED
        sub.save()
        if sub.mailchimp_needs_push:
            audience_sync.schedule_push(sub)
        return "updated"


def export_data(sub: Subscriber) -> dict:
    """Everything we hold about one person (GDPR access request)."""

    def iso(value):
        return value.isoformat() if value else None

    return {
        "email": sub.email,
        "first_name": sub.first_name,
        "last_name": sub.last_name,
        "organisation": sub.organisation,
        "municipality": sub.municipality.name if sub.municipality_id else None,
        "role": sub.role,
        "status": sub.status,
        "cleaned_reason": sub.cleaned_reason,
        "source": sub.source,
        "interests": list(sub.tags or []),
        "former_email_addresses": list(sub.former_emails or []),
        # The address Mailchimp still calls them by, until our change reaches it.
        "mailchimp_email_address": sub.mailchimp_email or None,
        # Addresses they asked to move to, still waiting for the link to be followed.
        "requested_address_changes": [
            {
                "new_email": change.new_email,
                "requested_at": iso(change.created_at),
                "expires_at": iso(change.expires_at),
                "used_at": iso(change.used_at),
            }
            for change in sub.pending_address_changes.exclude(new_email="").order_by("pk")
        ],
        "consent": {
            "text_shown": sub.consent_text,
            "signed_up_at": iso(sub.signup_at),
            "sign_up_ip": sub.signup_ip,
            "sign_up_user_agent": sub.signup_user_agent,
            "confirmed_at": iso(sub.confirmed_at),
            "confirmation_ip": sub.confirm_ip,
            "confirmation_user_agent": sub.confirm_user_agent,
        },
        "mailchimp": {
            "last_sent_at": iso(sub.mailchimp_pushed_at),
            "last_changed_in_mailchimp": iso(sub.mailchimp_last_changed),
        },
        "created_at": iso(sub.created_at),
        "updated_at": iso(sub.updated_at),
        "events": [
            {
                "at": iso(e.occurred_at),
                "from": e.from_status,
                "to": e.to_status,
                "source": e.source,
                "applied": e.applied,
                "detail": e.detail,
            }
            for e in sub.events.order_by("occurred_at", "id")
        ],
    }


def erase(sub: Subscriber, *, by: str = "admin") -> SubscriberEvent:
    """Right to erasure: delete locally, have Mailchimp delete permanently, and keep a log entry
    that holds no personal data (no address, no name, no link to the deleted row).

    Leaves a tombstone (a keyed hash of each address the person had here or in Mailchimp) so that
    nothing already on its way (the pull, a waiting webhook event, an import, a tracking event)
    brings them back, and removes their waiting or failed webhook events from the inbox.
    """
    addresses = {
        normalise_email(a)
        for a in (sub.email, sub.mailchimp_email, *(sub.former_emails or []))
        if a
    }
    with transaction.atomic():
        # An address this person left behind may be someone else's subscription now (theirs to
        # keep: their Mailchimp member, their waiting webhook events, their registrations).
        others = Subscriber.objects.exclude(pk=sub.pk)
        addresses -= {s.email for s in others.with_emails(addresses)}
        addresses -= set(
            others.filter(mailchimp_email__in=addresses).values_list("mailchimp_email", flat=True)
        )
        status = sub.status
        SubscriberEvent.objects.filter(subscriber=sub).update(detail={})
        # Addresses they asked to move to (the cascade would too; said here so it is not lost).
        PendingAddressChange.objects.filter(subscriber=sub).delete()
        sub.delete()
        event = SubscriberEvent.objects.create(
            subscriber=None,
            from_status=status,
            to_status="",
            source="erasure",
            detail={"by": by},
        )
        tombstones.bury(*addresses)
        webhook_inbox.forget_addresses(addresses)
        for address in sorted(addresses):
            audience_sync.schedule_erasure(address)
        # Their event registrations too (cancelled, personal data deleted), under every address.
        from events.services import erase_registrations

        for address in sorted(addresses):
            erase_registrations(address)
    return event
