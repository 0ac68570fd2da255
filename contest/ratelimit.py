"""Fixed-window counters in the Django cache for the account pages (password reset, sign-up,
confirmation links). The production cache is Redis, shared by every web worker."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def allow(scope: str, ident: str) -> bool:
    """Count one attempt of `ident` (an address, a client IP, a user id) in `scope` and say
    whether it is within `ACCOUNT_RATE_LIMITS[scope]` = (attempts, seconds)."""
    limit, period = settings.ACCOUNT_RATE_LIMITS[scope]
    digest = hashlib.sha256(str(ident).strip().casefold().encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{int(time.time() // period)}"
    if cache.add(key, 1, period):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, period)
        count = 1
    return count <= limit
