from django.core.wsgi import get_wsgi_application

from config.env import load_env

load_env()  # before Django reads DJANGO_SETTINGS_MODULE, so the .env file can set it
application = get_wsgi_application()
