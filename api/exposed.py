"""What each model shows in the API (kept here, next to its fields, not on the models)."""

from rest_framework import serializers

from wagtail.api import APIField

from home.models import ArticlePage, EventPage, Municipality, StandardPage
from newsletter.models import NewsletterIssuePage

from .fields import (
    ImageDataField,
    MunicipalityRefField,
    PropertyField,
    RegistrationStateField,
    RichTextHTMLField,
    StreamDataField,
)

# Teaser fields every content page shares (BasePage's listing fields).
LISTING_FIELDS = [
    APIField("teaser_title", serializer=PropertyField(read_only=True)),
    APIField("summary", serializer=serializers.CharField(source="listing_summary")),
    APIField("listing_image", serializer=ImageDataField()),
]

API_FIELDS = {
    ArticlePage: [
        "date",
        *LISTING_FIELDS,
        APIField("hero_image", serializer=ImageDataField()),
        "hero_caption",
        "hero_credit",
        APIField("byline", serializer=PropertyField(read_only=True)),
        APIField("body", serializer=StreamDataField()),
        "tags",
        APIField("municipalities", serializer=MunicipalityRefField()),
    ],
    EventPage: [
        "start",
        "end",
        *LISTING_FIELDS,
        "location_name",
        "location_city",
        APIField("location", serializer=PropertyField(read_only=True)),
        "is_online",
        "organiser",
        "audience",
        "price_text",
        "registration_url",
        "registration_deadline",
        "extended_deadline",
        APIField("effective_deadline", serializer=serializers.DateField(read_only=True)),
        # Open/closed, places left and counts per programme part; never the registrations.
        APIField("registration", serializer=RegistrationStateField(read_only=True)),
        APIField("intro", serializer=RichTextHTMLField()),
        APIField("body", serializer=StreamDataField()),
    ],
    StandardPage: [
        *LISTING_FIELDS,
        APIField("intro", serializer=RichTextHTMLField()),
        APIField("body", serializer=StreamDataField()),
    ],
    NewsletterIssuePage: [
        "issue_date",
        "subject",
        "preheader",
        *LISTING_FIELDS,
        APIField("intro", serializer=RichTextHTMLField()),
        # The issue's sections: teasers resolved to their target's title, URL and summary.
        APIField("body", serializer=StreamDataField()),
    ],
    Municipality: [
        "name",
        "slug",
        "county",
        APIField("county_name", serializer=serializers.CharField(source="get_county_display")),
        "population",
        APIField("area_km2", serializer=serializers.FloatField()),
        "member_since",
        "website",
        APIField("coat_of_arms", serializer=ImageDataField()),
        "description",
    ],
}

# Extra fields shown in listings without asking (?fields=…) for each model.
LISTING_DEFAULTS = {
    ArticlePage: ["date", "teaser_title", "summary"],
    EventPage: ["start", "end", "location", "teaser_title", "summary"],
    NewsletterIssuePage: ["issue_date", "teaser_title", "summary"],
    StandardPage: ["teaser_title", "summary"],
    Municipality: ["name", "slug", "county", "county_name"],
}


def api_fields_for(model) -> list:
    for cls in model.__mro__:
        if cls in API_FIELDS:
            return API_FIELDS[cls]
    return list(getattr(model, "api_fields", ()))
