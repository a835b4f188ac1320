"""WSGI entry point for `verka serve` and any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verka.conf.settings")
application = get_wsgi_application()
