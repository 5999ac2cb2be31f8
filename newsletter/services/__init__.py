"""Business logic of the newsletter, used by views, admin, tasks and commands."""
