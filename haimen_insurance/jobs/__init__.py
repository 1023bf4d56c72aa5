"""Background jobs: long work (a register import, the roll-over, a city-wide export) runs in a
worker of Django's task queue while the page that started it shows its progress.

``models.Job`` is the app's own record of a job (kind, who started it, what it works on, status,
progress, result, failure); ``services`` starts, runs and sweeps jobs; ``views`` are the
后台任务 page, the progress partial the starting page polls, and the scoped result download;
``queue`` is the one place that names the tasks API. Each app defines its own task functions in
its ``tasks.py`` and runs its services through ``services.job_run``.
"""
