"""The people the April 2022 newsletter names: (name, role, organisation, email, phone)."""

PEOPLE = [
    ("Charlotta Haskovec", "verksamhetsledare", "SmåKom", "charlotta@smakom.se", "0706 725 649"),
    ("Peter Lindroth", "ordförande", "SmåKom", "", ""),
    ("Kristine Hästmark", "ledamot i arbetsutskottet", "SmåKom", "", ""),
    ("Ingrid Hugosson", "ledamot i arbetsutskottet", "SmåKom", "", ""),
    ("Sophia Vikström", "kommunchef", "Grästorps kommun", "", ""),
    ("Kent Larsson", "kommunstyrelsens ordförande", "Grästorps kommun", "", ""),
    (
        "Michaela Stenman",
        "sektionschef för Lokal och regional utveckling",
        "SKR",
        "",
        "",
    ),
    ("Ilinca Benson", "vice vd och kommunikationschef", "SNS", "", ""),
    ("Tommy Ljunggren", "", "TechSverige", "", ""),
    ("Åsa Karlsson Björkmarker", "regeringens särskilda utredare", "", "", ""),
]
