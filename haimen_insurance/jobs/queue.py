"""The tasks API: Django's own from Django 6 (``django.tasks``), its backport ``django_tasks``
before that. Task functions import ``task`` from here, so the upgrade changes one file."""

try:  # Django 6.0 and later
    from django.tasks import default_task_backend, task, task_backends
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import default_task_backend, task, task_backends

__all__ = ["default_task_backend", "task", "task_backends"]
