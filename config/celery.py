"""The Celery app. Settings come from Django settings under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("cordon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

if app.conf.broker_url.startswith("filesystem://"):
    # The embedded broker is a pair of folders shared by web, worker and beat.
    for folder in {
        app.conf.broker_transport_options["data_folder_in"],
        app.conf.broker_transport_options["processed_folder"],
        app.conf.broker_transport_options["control_folder"],
    }:
        os.makedirs(folder, exist_ok=True)
