from django.core.asgi import get_asgi_application

from config.env import load_env

load_env()  # before Django reads DJANGO_SETTINGS_MODULE, so the .env file can set it
application = get_asgi_application()
