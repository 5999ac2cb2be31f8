def load_issue(home_page, stdout=None) -> None:
    """The April 2022 issue (filled in by the email-rendering work)."""
