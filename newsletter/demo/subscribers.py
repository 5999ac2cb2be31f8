"""Demo subscribers: a handful of people at example addresses, subscribed with consent recorded,
pushed to the (sandbox) Mailchimp audience so the demo issue has someone to reach."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from home.models import Municipality
from newsletter import audience_sync
from newsletter.models import Subscriber, SubscriberEvent

CONSENT = (
    "Jag vill få SmåKoms nyhetsbrev via e-post. Jag kan när som helst avsluta prenumerationen "
    "via länken i varje utskick. (Demodata)"
)

# email, first name, last name, organisation, municipality, role, interests
PEOPLE = [
    ("anna.andersson@example.se", "Anna", "Andersson", "Grästorps kommun", "Grästorp",
     "kommunchef", ["Nyhetsbrev", "Evenemang"]),
    ("bertil.berg@example.se", "Bertil", "Berg", "Tranemo kommun", "Tranemo",
     "kommunstyrelsens ordförande", ["Nyhetsbrev", "Medlemsinformation"]),
    ("cecilia.carlsson@example.se", "Cecilia", "Carlsson", "Vårgårda kommun", "Vårgårda",
     "kommunikatör", ["Nyhetsbrev"]),
    ("david.dahl@example.se", "David", "Dahl", "Rättviks kommun", "Rättvik",
     "näringslivschef", ["Nyhetsbrev", "Evenemang"]),
    ("eva.ek@example.se", "Eva", "Ek", "SmåKom", None, "styrelseledamot",
     ["Nyhetsbrev", "Evenemang", "Medlemsinformation"]),
]  # fmt: skip


def load_subscribers(stdout=None) -> None:
    created = 0
    now = timezone.now()
    for email, first, last, organisation, municipality_name, role, interests in PEOPLE:
        municipality = (
            Municipality.objects.filter(name__iexact=municipality_name).first()
            if municipality_name
            else None
        )
        with transaction.atomic():
            sub, is_new = Subscriber.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "organisation": organisation,
                    "municipality": municipality,
                    "role": role,
                    "tags": interests,
                    "status": Subscriber.Status.SUBSCRIBED,
                    "source": Subscriber.Source.WEBSITE,
                    "consent_text": CONSENT,
                    "signup_at": now - timedelta(days=30),
                    "signup_ip": "192.0.2.10",
                    "signup_user_agent": "Demo",
                    "confirmed_at": now - timedelta(days=30, minutes=-5),
                    "confirm_ip": "192.0.2.10",
                    "confirm_user_agent": "Demo",
                },
            )
            if is_new:
                created += 1
                SubscriberEvent.objects.create(
                    subscriber=sub,
                    from_status="pending",
                    to_status="subscribed",
                    source="demo",
                    occurred_at=sub.confirmed_at,
                )
            # Idempotent: a re-run pushes again, so the sandbox audience (reset or not) has them.
            if sub.status == Subscriber.Status.SUBSCRIBED:
                audience_sync.schedule_push(sub)
    if stdout is not None:
        stdout.write(f"Demo subscribers: {created} new, {len(PEOPLE) - created} already there.")
