"""Public subscriber forms (sign-up, preferences) and the admin CSV import form."""

from __future__ import annotations

import unicodedata

from django import forms
from django.conf import settings
from django.core import signing
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from home.models import Municipality
from newsletter import tokens
from newsletter.models.subscribers import INTERESTS
from newsletter.services.subscribers import AddressError, clean_address

CONSENT_TEXT = _(
    "I want to receive the SmåKom newsletter by email. I can unsubscribe at any time with the "
    "link in every email."
)
PRIVACY_TEXT = _(
    "SmåKom stores your email address, name and municipality to send you the newsletter, on the "
    "basis of your consent, until you unsubscribe. The addresses are kept with our mailing "
    "service Mailchimp (Intuit), which may process them outside the EU under the EU's standard "
    "contractual clauses. You can ask us what we store about you, or to erase it, at any time."
)

HONEYPOT_FIELD = "website"

# What no name needs: markup, links and addresses (a name is shown in mail and in Mailchimp).
_NOT_IN_NAMES = ("<", ">", "://", "www.", "@")


def clean_person_text(value: str, message=None) -> str:
    """A name or organisation as people write them, whitespace collapsed; refuses control and
    invisible characters, markup, links and email addresses (a clear Swedish error)."""
    text = " ".join((value or "").split())
    lowered = text.lower()
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text) or any(
        bad in lowered for bad in _NOT_IN_NAMES
    ):
        raise forms.ValidationError(
            message or _("Enter your name without links or special characters.")
        )
    return text


def form_min_seconds() -> float:
    return getattr(settings, "NEWSLETTER_FORM_MIN_SECONDS", 2)


def form_max_seconds() -> float:
    return getattr(settings, "NEWSLETTER_FORM_MAX_SECONDS", 24 * 3600)


class _NameChoices(forms.models.ModelChoiceIterator):
    """(pk, name) from one query: no model instance per municipality."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class _PlainSelect(forms.Select):
    """The markup of Django's select, built in Python: the sign-up form is on the home page and
    every newsletter page, and rendering an option template per municipality took about as long
    as the rest of the home page."""

    def render(self, name, value, attrs=None, renderer=None):
        wanted = self.format_value(value)
        options, chosen = [], False
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not chosen and option_value in wanted
            chosen = chosen or selected
            options.append((option_value, mark_safe(" selected") if selected else "", label))
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            format_html_join("\n", '<option value="{}"{}>{}</option>', options),
        )


class MunicipalityChoiceField(forms.ModelChoiceField):
    """The optional municipality question of the sign-up and preferences forms."""

    iterator = _NameChoices
    widget = _PlainSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Municipality (optional)"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("– Choose municipality –"))
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("Choose a municipality from the list.")}
        )
        super().__init__(queryset=Municipality.objects.order_by("name"), **kwargs)


class SignupForm(forms.Form):
    email = forms.CharField(
        label=_("Email address"),
        max_length=320,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("Enter your email address."),
            "max_length": _("The email address is too long."),
        },
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": _("Enter your name."),
            "max_length": _("The name can be at most 100 characters long."),
        },
    )
    municipality = MunicipalityChoiceField()
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": _("Tick the box to show that you want the newsletter.")},
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by form-filling bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stamp"].initial = tokens.make_form_stamp()
        # A fresh stamp whenever the form is shown again (after an error).
        if self.is_bound:
            self.data = self.data.copy()
            self.data["stamp"] = tokens.make_form_stamp()
            self.original_stamp = (args[0] if args else kwargs.get("data", {})).get("stamp", "")
        else:
            self.original_stamp = ""

    def clean_email(self):
        try:
            return clean_address(self.cleaned_data["email"])
        except AddressError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_name(self):
        name = clean_person_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(HONEYPOT_FIELD):
            self.rejected_as = "honeypot"
            raise forms.ValidationError(
                _("We could not accept the sign-up. Please try again, or contact us.")
            )
        try:
            age = tokens.form_stamp_age(self.original_stamp)
        except tokens.TokenError:
            self.rejected_as = "stamp_invalid"
            raise forms.ValidationError(
                _("The form has expired. Please check your details and send it again.")
            ) from None
        if age < form_min_seconds():
            self.rejected_as = "too_fast"
            raise forms.ValidationError(
                _("That was very quick. Please wait a few seconds and send the form again.")
            )
        if age > form_max_seconds():
            self.rejected_as = "too_old"
            raise forms.ValidationError(
                _("The form has expired. Please check your details and send it again.")
            )
        return cleaned


class ShownValuesMixin:
    """For a form that edits one subscriber: the values it was shown with travel with it, signed
    for that subscriber, in its `shown` hidden field. What the person changed is then what differs
    from them, not from the row as it is when the form comes back, so a change made meanwhile
    elsewhere (by an editor, by Mailchimp, an address the subscriber moved to) is not reverted by
    saving the other fields. A missing or tampered copy compares with the row as it is."""

    shown_salt = ""

    def track_shown_values(self, pk, names) -> None:
        names = tuple(names)
        if not self.is_bound:
            values = {name: self.initial.get(name) for name in names}
            self.fields["shown"].initial = signing.dumps(
                {"pk": pk, "values": values}, salt=self.shown_salt
            )
            return
        try:
            shown = signing.loads(
                self.data.get(self.add_prefix("shown")) or "", salt=self.shown_salt
            )
        except (signing.BadSignature, ValueError, UnicodeError):
            return
        if isinstance(shown, dict) and shown.get("pk") == pk:
            values = shown.get("values") or {}
            self.initial.update({k: v for k, v in values.items() if k in names})


class PreferencesForm(ShownValuesMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": _("The name can be at most 100 characters long.")},
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=160,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"max_length": _("The organisation can be at most 160 characters long.")},
    )
    # The same question as the sign-up form's.
    municipality = MunicipalityChoiceField()
    interests = forms.MultipleChoiceField(
        label=_("What would you like to hear about?"),
        choices=INTERESTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the listed interests.")},
    )
    shown = forms.CharField(widget=forms.HiddenInput, required=False)  # ShownValuesMixin

    shown_salt = "newsletter.preferences.shown"
    EDITABLE = ("name", "organisation", "municipality", "interests")

    def __init__(self, *args, subscriber_pk: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if subscriber_pk is not None:
            self.track_shown_values(subscriber_pk, self.EDITABLE)

    def changed_values(self) -> dict:
        """The cleaned values of the fields the person changed."""
        return {
            name: self.cleaned_data[name] for name in self.EDITABLE if name in self.changed_data
        }

    # The same rules as the sign-up form: these end up in Mailchimp and in our mail.
    def clean_name(self):
        return clean_person_text(self.cleaned_data["name"])

    def clean_organisation(self):
        return clean_person_text(
            self.cleaned_data["organisation"],
            _("Enter the organisation without links or special characters."),
        )


class AddressChangeForm(forms.Form):
    """The preferences page's "change email address": the same address rules as the sign-up."""

    # A prefix: the preferences form beside it has its own fields and errors.
    prefix = "address"

    new_email = forms.CharField(
        label=_("New email address"),
        max_length=320,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("Enter your new email address."),
            "max_length": _("The email address is too long."),
        },
    )

    def clean_new_email(self):
        try:
            return clean_address(self.cleaned_data["new_email"])
        except AddressError as exc:
            raise forms.ValidationError(str(exc)) from exc


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email (required), name or first_name and last_name, organisation, "
            "municipality, role, interests (separated by semicolons). Comma or semicolon "
            "separated, UTF-8 or Excel's Windows-1252."
        ),
    )
