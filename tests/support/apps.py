from django.apps import AppConfig


class SupportConfig(AppConfig):
    """Installed by the test settings only: the suite's own ``flush``."""

    name = "tests.support"
    label = "test_support"
