"""bookagent: a self-hosted service that markets a book on its author's behalf."""

__version__ = "0.1.0"
