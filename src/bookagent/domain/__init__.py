"""The domain: bookagent's rules, free of Flask, Celery, Redis, httpx and vendor SDKs."""
