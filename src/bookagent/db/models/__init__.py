"""All models, imported here so the metadata is complete for Alembic and `create_all`."""

from bookagent.db.models.autonomous import AutonomousState
from bookagent.db.models.autonomous import DailyRun
from bookagent.db.models.autonomous import SchedulerHeartbeat
from bookagent.db.models.autonomous import SchedulerOutage
from bookagent.db.models.books import Book
from bookagent.db.models.engagement import LinkClick
from bookagent.db.models.engagement import MetricReading
from bookagent.db.models.engagement import ShortLink
from bookagent.db.models.posts import Post
from bookagent.db.models.publications import PublicationAttempt
from bookagent.db.models.publications import RateLimitState
from bookagent.db.models.reports import Report
from bookagent.db.models.tasks import TaskRecord
from bookagent.db.models.tasks import TaskRollup
from bookagent.db.models.users import ApiToken
from bookagent.db.models.users import User
from bookagent.db.models.users import WebSession

__all__ = [
    "ApiToken",
    "AutonomousState",
    "Book",
    "DailyRun",
    "LinkClick",
    "MetricReading",
    "Post",
    "PublicationAttempt",
    "RateLimitState",
    "Report",
    "SchedulerHeartbeat",
    "SchedulerOutage",
    "ShortLink",
    "TaskRecord",
    "TaskRollup",
    "User",
    "WebSession",
]
