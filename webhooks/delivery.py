"""One attempt of one delivery (being written)."""


def attempt(delivery_id: int) -> None:
    raise NotImplementedError
