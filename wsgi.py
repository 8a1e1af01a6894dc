"""The application for gunicorn (`gunicorn wsgi:app`) and the flask CLI (`flask --app wsgi …`)."""

import gc

from community import create_app

app = create_app()
# What start-up built lives as long as the process: frozen, full collections no longer walk it (a full collection
# over it took 100 ms in the middle of a search request).
gc.freeze()
