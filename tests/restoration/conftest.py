import datetime

import pytest
import time_machine

from tests.negotiation.factories import desk


@pytest.fixture
def november():
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC),
                             tick=False):
        yield


@pytest.fixture
def d():
    return desk("SX")
