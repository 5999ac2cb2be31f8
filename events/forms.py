"""The registration form: the fields the editor chose for the event, with Swedish errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Registration

OTHER = "other"


def organisation_choices():
    from home.models import Municipality

    members = Municipality.objects.filter(is_member=True).order_by("name").values_list("pk", "name")
    return [
        ("", _("Choose municipality or organisation")),
        *((str(pk), name) for pk, name in members),
        (OTHER, _("Other organisation")),
    ]


class OptionsField(forms.ModelMultipleChoiceField):
    """Programme parts by id; anything but a plausible id is an invalid choice, never a query
    (a 25-digit number would overflow the database's integer)."""

    def _check_values(self, value):
        for item in value:
            text = str(item)
            if not text.isdigit() or len(text) > 15:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text[:20]},
                )
        return super()._check_values(value)


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=120, error_messages={"required": _("Write your name.")}
    )
    email = forms.EmailField(label=_("Email address"), max_length=254)
    organisation_choice = forms.ChoiceField(label=_("Municipality or organisation"), choices=())
    organisation = forms.CharField(
        label=_("Other organisation (name)"), max_length=160, required=False
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", "—"), *Registration.Role.choices], required=True
    )
    options = OptionsField(
        label=_("Which parts of the programme"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one part of the programme.")},
    )
    diet = forms.CharField(
        label=_("Dietary needs and allergies"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the organisers see this; it is deleted after the event."),
    )
    invoice_reference = forms.CharField(
        label=_("Invoicing reference"), max_length=120, required=False
    )
    consent = forms.BooleanField(
        required=True, error_messages={"required": _("Tick the box to register.")}
    )

    def __init__(self, *args, event, with_email: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        for name in ("name", "organisation", "invoice_reference", "diet"):
            self.fields[name].error_messages["max_length"] = _(
                "At most %(limit_value)d characters."
            )
        if not with_email:
            del self.fields["email"]
        if event.ask_organisation:
            self.fields["organisation_choice"].choices = organisation_choices()
        else:
            del self.fields["organisation_choice"], self.fields["organisation"]
        if not event.ask_role:
            del self.fields["role"]
        options = event.registration_options.all()
        if options.exists():
            self.fields["options"].queryset = options
        else:
            del self.fields["options"]
        if not event.ask_diet:
            del self.fields["diet"]
        if not event.ask_invoice_reference:
            del self.fields["invoice_reference"]
        if event.consent_text and with_email:
            self.fields["consent"].label = event.consent_text
        else:
            del self.fields["consent"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Write your name."))
        return name

    def clean(self):
        cleaned = super().clean()
        if "organisation_choice" in self.fields and "organisation_choice" in cleaned:
            choice = cleaned.pop("organisation_choice")
            if choice == OTHER:
                cleaned["municipality"] = None
                if not (cleaned.get("organisation") or "").strip():
                    self.add_error("organisation", _("Write the name of your organisation."))
            else:
                from home.models import Municipality

                cleaned["municipality"] = Municipality.objects.filter(pk=int(choice)).first()
                cleaned["organisation"] = ""
        return cleaned


def initial_for(registration) -> dict:
    return {
        "name": registration.name,
        "organisation_choice": str(registration.municipality_id)
        if registration.municipality_id
        else (OTHER if registration.organisation else ""),
        "organisation": registration.organisation,
        "role": registration.role,
        "options": list(registration.options.all()),
        "diet": registration.diet,
        "invoice_reference": registration.invoice_reference,
    }


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(label=_("Message"), max_length=10_000, widget=forms.Textarea)
