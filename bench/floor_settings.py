"""Settings for the deadline rush's baseline server: production settings plus one bare endpoint."""

from config.settings.prod import *  # noqa: F403

ROOT_URLCONF = "floor_urls"
