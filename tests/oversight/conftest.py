"""The oversight pages read every app: their tests use the fixtures of enrollment's tests."""

from tests.enrollment.conftest import campaign  # noqa: F401 (the fixture)
