from django.apps import AppConfig


class ServingConfig(AppConfig):
    name = "madoguchi.serving"
    label = "serving"
    verbose_name = "Serving"
