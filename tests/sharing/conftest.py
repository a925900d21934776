import pytest

from tests.sharing.receivers import Receiver


@pytest.fixture
def receivers():
    """receivers(n, **behaviour) -> n started local webhook receivers, stopped at teardown."""
    started: list[Receiver] = []

    def make(count: int = 1, **behaviour) -> list[Receiver]:
        new = [Receiver(**behaviour).start() for _ in range(count)]
        started.extend(new)
        return new

    yield make
    for receiver in started:
        receiver.stop()
