"""Task queue backends (Celery on Redis, the in-process thread pool) and the task-row store."""
