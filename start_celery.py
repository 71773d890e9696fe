"""Start a Celery worker the way the original service did: `python start_celery.py`.

Reads CELERY_BROKER_URL, CELERY_CONCURRENCY and CELERY_LOG_LEVEL, like `bookagent worker`.
"""

from bookagent.cli import main

if __name__ == "__main__":
    import sys

    sys.argv = [sys.argv[0], "worker", *sys.argv[1:]]
    main()
