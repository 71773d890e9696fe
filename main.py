"""Start the bookagent API the way the original service was started: `python main.py`.

Reads HOST and PORT (default 127.0.0.1:5000) and serves with gunicorn, like `bookagent serve`.
"""

from bookagent.cli import main

if __name__ == "__main__":
    import sys

    sys.argv = [sys.argv[0], "serve", *sys.argv[1:]]
    main()
