"""The Redis the suite's shared-cache tests use: the local one `.ci/run` starts."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def own_key_prefix() -> Iterator[str]:
    """A key prefix of our own on the local Redis (skips without one); its keys are removed after."""
    client = redis.Redis.from_url(LOCAL_REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
    prefix = f"crmtickets-test-{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
