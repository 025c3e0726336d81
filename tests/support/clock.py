"""A frozen `timezone.now()` for rules that count days (the reopen window, ages in the queue)."""

import datetime

NOW = datetime.datetime(2026, 11, 30, 12, 0, 0, tzinfo=datetime.UTC)


class FrozenClock:
    """What `timezone.now()` answers while the `clock` fixture is in use; `at(moment)` moves it."""

    def __init__(self, now: datetime.datetime = NOW):
        self.now = now

    def at(self, moment: datetime.datetime) -> None:
        self.now = moment
