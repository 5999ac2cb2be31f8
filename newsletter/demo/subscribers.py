def load_subscribers(stdout=None) -> None:
    """A handful of demo subscribers (filled in by the subscribers work)."""
