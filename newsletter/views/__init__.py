"""Public subscriber pages: sign-up, confirmation, one-click unsubscribe, preferences."""
