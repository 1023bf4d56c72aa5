from django.apps import AppConfig


class OversightConfig(AppConfig):
    """The roof: what reads every other app (workbenches and their to-do list, dashboards,
    assessment, the year's review). Nothing below imports it."""

    name = "oversight"
    verbose_name = "督导考核"
