"""Email rendering of a newsletter issue. TEMPORARY STUB: replaced by the email-rendering work.

Interface (kept by the real implementation):
    render_email(page, *, backend="mailchimp") -> RenderedEmail(subject, preheader, html, text)
"""

from dataclasses import dataclass


@dataclass
class RenderedEmail:
    subject: str
    preheader: str
    html: str
    text: str


def render_email(page, *, backend: str = "mailchimp") -> RenderedEmail:
    subject = page.subject or page.title
    html = (
        f'<!doctype html><html lang="sv"><body><h1>{page.title}</h1>'
        '<p>*|LIST:ADDRESSLINE|*</p><p><a href="*|UNSUB|*">Avsluta prenumerationen</a></p>'
        "</body></html>"
    )
    text = f"{page.title}\n\n*|LIST:ADDRESSLINE|*\nAvsluta: *|UNSUB|*\n"
    return RenderedEmail(subject=subject, preheader=page.preheader, html=html, text=text)
