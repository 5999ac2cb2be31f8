"""The sign-up form's municipality question, rendered in Python (newsletter.forms._PlainSelect):
the same options and choice as Django's select, every municipality at once, names escaped."""

import re
import time

import pytest

from django import forms

from home.models import Municipality
from newsletter import tokens
from newsletter.forms import PreferencesForm, SignupForm

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


class DjangoSelect(forms.Form):
    """The field as Django renders it, to compare with."""

    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.order_by("name"),
        required=False,
        empty_label="– Välj kommun –",
    )


def options(html: str) -> list[tuple[str, bool, str]]:
    return [(value, bool(selected), label) for value, selected, label in OPTION.findall(html)]


@pytest.fixture
def municipalities():
    return [
        Municipality.objects.create(name=name, slug=slug)
        for name, slug in (("Åre", "are"), ("Grästorp", "grastorp"), ("Bjurholm", "bjurholm"))
    ]


@pytest.mark.parametrize("chosen", [None, 1, "999999", "<script>"])
def test_options_and_choice_are_djangos(municipalities, chosen):
    value = str(municipalities[chosen].pk) if chosen == 1 else chosen
    data = {"municipality": value} if value is not None else None
    ours = str(SignupForm(data=data)["municipality"])
    django = str(DjangoSelect(data=data)["municipality"])
    assert options(ours) == options(django)
    assert len(options(ours)) == 4
    # The empty choice or the chosen one; none for a value that is not in the list.
    assert [o[1] for o in options(ours)].count(True) == (1 if chosen in (None, 1) else 0)
    assert ours.startswith('<select name="municipality"') and ours.endswith("</select>")
    assert "<script>" not in ours


def test_a_chosen_municipality_is_recorded_and_a_foreign_one_refused(municipalities):
    stamp = tokens.make_form_stamp(now=time.time() - 10)
    base = {"email": "a@example.se", "name": "Anna", "consent": "on", "stamp": stamp}
    form = SignupForm(data={**base, "municipality": str(municipalities[1].pk)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["municipality"] == municipalities[1]
    form = SignupForm(data={**base, "municipality": "999999"})
    assert not form.is_valid()
    assert form.errors["municipality"] == ["Välj en kommun i listan."]
    assert PreferencesForm(data={"municipality": str(municipalities[0].pk)}).is_valid()


def test_a_hostile_name_is_escaped(municipalities):
    Municipality.objects.create(name='Ond"><script>alert(1)</script>', slug="ond")
    html = str(SignupForm()["municipality"])
    assert "<script>" not in html
    assert "Ond&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_home_page_lists_every_municipality_at_once(client, home_page, municipalities):
    html = client.get("/").content.decode()
    assert [label for _v, _s, label in options(html)] == [
        "– Välj kommun –",
        "Bjurholm",
        "Grästorp",
        "Åre",
    ]
    Municipality.objects.create(name="Dals-Ed", slug="dals-ed")
    html = client.get("/").content.decode()
    assert "Dals-Ed" in [label for _v, _s, label in options(html)]
    assert 'id="id_municipality"' in html and '<label for="id_municipality">' in html
