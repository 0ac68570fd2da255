import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .world import PERSONAS, build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(world):
    """`client_for(persona)`: an API client sending that persona's token (none for anonymous)."""

    def make(persona):
        client = APIClient()
        user = world.user(persona)
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def personas():
    return PERSONAS
