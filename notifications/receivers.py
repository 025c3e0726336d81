"""Which ticket events email which agents (filled in with the email tasks)."""


def connect() -> None:
    """Nothing is connected yet."""
