"""WSGI entry point: Django's WSGI handler.

`madoguchi serve` reaches it through madoguchi/asgi.py (a2wsgi), so that pages keep WSGI speed
while WebSockets share the port; any WSGI server can also serve it directly for pages alone
(`gunicorn madoguchi.wsgi`, see docs/serving.md).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
application = get_wsgi_application()
