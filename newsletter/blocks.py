"""Sections of a newsletter issue (the issue's StreamField)."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks


class IssueStreamBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(label=_("Rubrik och text"))
