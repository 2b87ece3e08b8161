"""django-helpdesk, installed from PyPI into bench/helpdesk/.venv, for the ticket benchmark.

settings.py, urls.py and wsgi.py are its Django project; provision.py runs inside that virtual
environment; desk.py sets it all up and serves it (see bench/helpdesk_side.py).
"""
