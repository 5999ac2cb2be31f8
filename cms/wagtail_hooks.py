from wagtail import hooks

from cms.visibility import PublicPageLinkHandler


# After Wagtail's own registration (order), so this handler is the one used for page links.
@hooks.register("register_rich_text_features", order=100)
def register_public_page_links(features):
    features.register_link_type(PublicPageLinkHandler)
