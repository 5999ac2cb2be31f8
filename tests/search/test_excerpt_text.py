"""Search excerpts read as text: no markup remnants (a heading's "h2"), words not run together."""

from wagtail.rich_text import RichText

from cms.blocks import HeadingBlock
from search.excerpts import excerpt, html_text, plain_text


def test_tags_are_word_breaks_and_entities_are_decoded():
    assert html_text("<p>Grästorp</p><p>agerade</p>").split() == ["Grästorp", "agerade"]
    assert html_text("<li>Två&nbsp;bussar</li><li>72&amp;fler</li>").split() == [
        "Två",
        "bussar",
        "72&fler",
    ]


def test_rich_text_paragraphs_do_not_run_together():
    text = plain_text(RichText("<h2>Rubrik</h2><p>Första stycket.</p><p>Andra</p>"))
    assert text.split() == ["Rubrik", "Första", "stycket.", "Andra"]


def test_a_headings_level_is_not_text():
    block = HeadingBlock()
    value = block.to_python({"text": "Vårmötet i Rättvik", "level": "h2"})
    assert plain_text(value).strip() == "Vårmötet i Rättvik"


def test_the_excerpt_has_no_markup_remnants():
    block = HeadingBlock()
    text = " ".join(
        [
            plain_text(block.to_python({"text": "Flyktingar", "level": "h3"})),
            plain_text(RichText("<p>Bussarna kom</p><p>till Grästorp.</p>")),
        ]
    )
    out = excerpt(" ".join(text.split()), ["grästorp"])
    assert "h3" not in out
    assert "kom till <mark>Grästorp</mark>." in out
