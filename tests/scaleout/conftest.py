import pytest
from django.conf import settings as django_settings

from tests.notifications.integration.conftest import _redis_available, broker, redis_url  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _require_postgresql_and_redis():
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): every host shares the test database")
    if not _redis_available():
        pytest.skip(f"needs Redis at {redis_url()}")
