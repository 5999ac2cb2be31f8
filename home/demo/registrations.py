"""Registration on the site for the demo's Vårmöte: the programme parts the April 2022
newsletter names (Årsstämma and the municipal managers' programme on Wednesday, the open
conference Thursday–Friday) and a few illustrative registrations (names are made up)."""

from __future__ import annotations

from events.models import Registration, RegistrationOption
from home.models import Municipality

VARMOTE = {
    "registration_enabled": True,
    "capacity": 120,  # illustrative: the newsletter gives no number
    "ask_organisation": True,
    "ask_role": True,
    "ask_diet": True,
    "ask_invoice_reference": True,
    "consent_text": (
        "Jag godkänner att SmåKom sparar mina uppgifter för att administrera Vårmötet och att "
        "mitt namn och min kommun står på deltagarlistan."
    ),
}
OPTIONS = [
    ("Årsstämma onsdag 27 april (förtroendevalda)", None),
    ("Kommunchefernas program onsdag 27 april", 30),
    ("Konferens torsdag–fredag 28–29 april", None),
]
PEOPLE = [
    ("Karin Lind", "karin.lind@example.se", "Ockelbo", "elected", [0, 2], "Vegetarisk"),
    ("Per Holm", "per.holm@example.se", "Ockelbo", "officer", [1, 2], ""),
    ("Lena Berg", "lena.berg@example.se", "Tranemo", "elected", [0, 2], "Glutenfri"),
    ("Anders Ek", "anders.ek@example.se", None, "other", [2], ""),
]


def load(page) -> None:
    """Idempotent: turns registration on (through a revision, so the options are in the page's
    history) and adds the demo registrations once."""
    if not page.registration_enabled or not page.registration_options.exists():
        for name, value in VARMOTE.items():
            setattr(page, name, value)
        page.registration_options = [
            RegistrationOption(title=title, capacity=capacity, sort_order=n)
            for n, (title, capacity) in enumerate(OPTIONS)
        ]
        page.save()  # the options get their rows, so the revision below refers to them
        page.save_revision().publish()
    if Registration.objects.filter(event=page).exists():
        return
    options = list(RegistrationOption.objects.filter(event=page).order_by("sort_order"))
    for name, email, municipality, role, chosen, diet in PEOPLE:
        registration = Registration.objects.create(
            event=page,
            name=name,
            email=email,
            municipality=Municipality.objects.filter(name=municipality).first()
            if municipality
            else None,
            organisation="" if municipality else "Region Dalarna",
            role=role,
            diet=diet,
            added_by_organiser=True,
        )
        registration.options.set([options[i] for i in chosen])
