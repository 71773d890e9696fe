"""The one typed Settings object, and the only reader of the environment.

Variables are `BOOKAGENT_<GROUP>__<FIELD>` (for example `BOOKAGENT_QUEUE__BACKEND`). The names the
original service documented (`CELERY_BROKER_URL`, `THREAD_POOL_MAX_WORKERS`, `HOST`, `PORT`,
`OPENAI_API_KEY`, ...) and the short names in the README (`DATABASE_URL`, `TASK_BACKEND`,
`BOOKAGENT_WRITER`) keep working: `LEGACY_ENV` maps each to its field. A `BOOKAGENT_` variable wins
over its legacy alias.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import Field
from pydantic import SecretStr
from pydantic import ValidationError
from pydantic import field_validator
from pydantic import model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings
from pydantic_settings import PydanticBaseSettingsSource
from pydantic_settings import SettingsConfigDict

from bookagent.errors import ConfigurationError

# A task's hard time limit is its soft limit plus this, so the soft one can end it cleanly.
HARD_LIMIT_MARGIN_S = 5.0

DEFAULT_CORS_ORIGINS = ["http://localhost:3000", "http://127.0.0.1:3000"]

#: Legacy and short variable names, mapped to (group, field) or (field,) of Settings.
#: The prefix of every setting's environment variable (nested fields below it under `__`).
PREFIX = "BOOKAGENT_"

LEGACY_ENV: dict[str, tuple[str, ...]] = {
    "DATABASE_URL": ("db", "url"),
    "TASK_BACKEND": ("queue", "backend"),
    "CELERY_BROKER_URL": ("queue", "broker_url"),
    "CELERY_RESULT_BACKEND": ("queue", "result_backend"),
    "CELERY_LOG_LEVEL": ("queue", "log_level"),
    "CELERY_CONCURRENCY": ("queue", "concurrency"),
    "THREAD_POOL_MAX_WORKERS": ("queue", "thread_pool_max_workers"),
    "BOOKAGENT_WRITER": ("writers", "default"),
    "OPENAI_API_KEY": ("writers", "openai_api_key"),
    "OPENAI_BASE_URL": ("writers", "openai_base_url"),
    "OPENAI_MODEL": ("writers", "openai_model"),
    "ANTHROPIC_API_KEY": ("writers", "anthropic_api_key"),
    "ANTHROPIC_MODEL": ("writers", "anthropic_model"),
    "HOST": ("web", "host"),
    "PORT": ("web", "port"),
    "CORS_ORIGINS": ("web", "cors_origins"),
}


class DatabaseSettings(BaseModel):
    """Where the database is; SQLite in the data directory unless `url` says otherwise."""

    url: str | None = None
    echo: bool = False
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    # Connections each of a process's two engines keeps open (and may open beyond that, briefly,
    # under load). Keep pool_size at least the web threads plus the thread-pool workers: a
    # connection opened past it is closed on return, and reopening costs a round trip or two.
    pool_size: int = Field(default=12, ge=1, le=200)
    max_overflow: int = Field(default=12, ge=0, le=200)
    # psycopg's server-side prepared statements (PostgreSQL only), see db.session.make_engine:
    # unset, only the publishing ledger's hot statements; true, every statement run 5 times;
    # false, none (a transaction-mode PgBouncer older than 1.21 cannot hold them).
    pg_prepared_statements: bool | None = None


class QueueSettings(BaseModel):
    """How background work runs: Celery on Redis, or the in-process thread pool."""

    backend: Literal["auto", "celery", "thread"] = "auto"
    broker_url: str = "redis://127.0.0.1:6379/0"
    result_backend: str | None = None
    log_level: str = "info"
    concurrency: int = Field(default=4, ge=1, le=256)
    thread_pool_max_workers: int = Field(default=4, ge=1, le=256)
    broker_ping_timeout_s: float = Field(default=1.0, gt=0, le=30)
    # What `submit` does when the broker drops after startup: run on the thread pool, or 503.
    on_broker_down: Literal["fallback", "error"] = "fallback"
    shutdown_grace_s: float = Field(default=10.0, ge=0)
    inspect_timeout_s: float = Field(default=1.0, gt=0, le=10)
    inspect_cache_s: float = Field(default=5.0, ge=0)
    # /api/tasks/stats aggregates every task row; its answer is reused for this long.
    stats_cache_s: float = Field(default=2.0, ge=0, le=300)
    # Celery task events (for Flower); off by default because they cost broker round trips per
    # task. Flower switches them on in the workers when it starts.
    send_task_events: bool = False
    # How often the scheduler ticks (Celery beat, or the in-process scheduler thread).
    scheduler_interval_s: float = Field(default=60.0, ge=0.5, le=3600)
    # Redis redelivers an unacked task after this long; None means "longest hard limit + 60 s".
    visibility_timeout_s: float | None = Field(default=None, gt=0)


class TimeoutSettings(BaseModel):
    """Route timeouts and task time limits (API.md gives the defaults)."""

    autonomous_start_s: float = Field(default=60, gt=0)
    autonomous_stop_s: float = Field(default=30, gt=0)
    autonomous_status_s: float = Field(default=15, gt=0)
    approve_post_s: float = Field(default=30, gt=0)
    generate_posts_s: float = Field(default=300, gt=0)
    daily_task_s: float = Field(default=300, gt=0)
    weekly_report_task_s: float = Field(default=600, gt=0)
    generate_task_s: float = Field(default=300, gt=0)
    default_task_s: float = Field(default=300, gt=0)


class WriterSettings(BaseModel):
    """Which writer generates posts, and how to reach the LLM vendors."""

    default: Literal["template", "openai", "anthropic"] = "template"
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    anthropic_api_key: SecretStr | None = None
    anthropic_model: str = "claude-3-5-haiku-latest"
    timeout_s: float = Field(default=60, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    # 20 posts at 2 s each take two rounds (about 4 s) rather than three at the default.
    concurrency: int = Field(default=10, ge=1, le=64)
    monthly_budget_usd: float | None = Field(default=None, ge=0)
    sync_threshold: int = Field(default=5, ge=0, le=50)


class PublisherSettings(BaseModel):
    """Where posts go: the outbox (dry run) by default, or the real platforms and a webhook."""

    dry_run: bool = False
    dry_run_platforms: list[str] = Field(default_factory=list)
    outbox_dir: Path | None = None
    timeout_s: float = Field(default=15.0, gt=0, le=120)
    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_backoff_s: float = Field(default=60.0, ge=0)
    # A post left "publishing" this long (its worker died mid-request) becomes unconfirmed.
    stale_publishing_s: float = Field(default=300.0, gt=0)
    mastodon_base_url: str | None = None
    mastodon_access_token: SecretStr | None = None
    bluesky_service: str = "https://bsky.social"
    bluesky_handle: str | None = None
    bluesky_app_password: SecretStr | None = None
    x_base_url: str = "https://api.x.com"
    x_user_token: SecretStr | None = None
    # The X account's API tier can read posts (the free tier cannot): the daily routine then
    # reads each X post's public metrics.
    x_read_metrics: bool = False
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # The receiver drops a repeated Idempotency-Key (say so only if it does): a webhook post
    # whose answer was lost is then sent again by the reconciler instead of left unconfirmed.
    webhook_receiver_dedupes: bool = False
    webhook_platforms: list[str] = Field(
        default_factory=lambda: ["facebook", "instagram", "pinterest", "threads", "linkedin"]
    )


class WebSettings(BaseModel):
    """How the HTTP API listens and whom it lets in."""

    host: str = "127.0.0.1"
    port: int = Field(default=5000, ge=1, le=65535)
    # The address others reach this server by ("https://books.example.com"): absolute links to
    # it start with it, such as the signed image links a webhook payload carries. Unset:
    # http://<host>:<port>. Its host must be among `trusted_hosts`.
    public_url: str | None = None
    cors_origins: list[str] = Field(default_factory=lambda: list(DEFAULT_CORS_ORIGINS))
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    gunicorn_workers: int = Field(default=2, ge=1, le=64)
    gunicorn_threads: int = Field(default=8, ge=1, le=256)
    secret_key: SecretStr | None = None
    # How long an auth answer is reused ("no token exists", or a token's owner): a new first
    # token, or a revoked one, takes effect within this many seconds. 0 reads every time.
    auth_cache_s: float = Field(default=2.0, ge=0, le=60)
    # Mark the dashboard's session cookie Secure (turn on behind TLS).
    session_cookie_secure: bool = False
    # Host names (the Host header, without the port) the server answers to; anything else gets
    # 400, which defeats DNS rebinding. Unset: the loopback names, plus the listening address when
    # it is a concrete one. ".example.com" also allows its subdomains; ["*"] turns the check off.
    trusted_hosts: list[str] | None = None
    # How many reverse proxies in front of the server set X-Forwarded-For (and -Proto, -Host):
    # 0 trusts none, so the peer address is the client's. See docs/SECURITY.md.
    proxy_count: int = Field(default=0, ge=0, le=5)
    # A second listening address ("127.0.0.1:9100") that serves only /metrics, without a token.
    # Unset: /metrics is on the main address and needs the admin token (outside local mode).
    metrics_bind: str | None = None
    # Rate limits ("<count> per <period>", as Flask-Limiter reads them). Sign-in attempts and
    # failed bearer tokens count per client address; the expensive routes count per user.
    rate_limits_enabled: bool = True
    rate_limit_storage_url: str | None = None  # unset: the Redis broker's URL, else memory
    signin_rate_limit: str = "10 per minute"
    auth_failure_rate_limit: str = "20 per minute"
    generate_rate_limit: str = "30 per minute"
    measure_rate_limit: str = "240 per minute"
    reports_rate_limit: str = "60 per minute"
    # Short-link clicks counted per client address: past it the reader is still sent on, but the
    # click is not counted (nor stored), so a script cannot inflate a post's clicks or fill the
    # table. The address lives in the limiter's counter for the window only, never in the database.
    click_rate_limit: str = "20 per minute"

    @field_validator("trusted_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator(
        "signin_rate_limit",
        "auth_failure_rate_limit",
        "generate_rate_limit",
        "measure_rate_limit",
        "reports_rate_limit",
        "click_rate_limit",
    )
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate limit; write it as '10 per minute' or '5/second'"
            ) from None
        return value

    @field_validator("metrics_bind")
    @classmethod
    def _check_metrics_bind(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        host, sep, port = value.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{value!r} is not host:port (for example 127.0.0.1:9100)")
        return value.strip()


class RetentionSettings(BaseModel):
    """How long old rows are kept before the daily prune deletes them; 0 keeps them forever.

    Only finished task rows, finished daily runs (never a book's latest), scheduler outages and
    short-link clicks (their number kept on the link) are pruned; unfinished task rows and the
    publication ledger never are.
    """

    # Finished task rows (SUCCESS, FAILURE, REVOKED), by finish time. The weekly report reads
    # the last 7 days of them, `/api/tasks/stats` and `/metrics` count what is left.
    task_rows_days: int = Field(default=30, ge=0)
    # Finished daily runs (done, failed), by run date; a book's latest run is always kept.
    daily_runs_days: int = Field(default=90, ge=0)
    # Scheduler outages (the weekly report's "scheduler down" figure reads the last 7 days).
    scheduler_outages_days: int = Field(default=90, ge=0)
    # Clicks on short links, by click time: each link keeps the number of those pruned, so a
    # post's click count never drops; only when each click came is forgotten.
    link_clicks_days: int = Field(default=90, ge=0)
    # How often the prune runs: Celery beat's schedule, or the in-process scheduler's tick.
    interval_s: float = Field(default=86400.0, ge=60)
    # Rows deleted per statement (each statement commits on its own, so locks stay short).
    batch_size: int = Field(default=5000, ge=1, le=100_000)

    @property
    def keeps_everything(self) -> bool:
        """Whether every kind of row is kept forever (then no prune is ever queued)."""
        return not (
            self.task_rows_days
            or self.daily_runs_days
            or self.scheduler_outages_days
            or self.link_clicks_days
        )


class LegacyEnvSource(PydanticBaseSettingsSource):
    """Reads the legacy and short variable names of `LEGACY_ENV` into their nested fields."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, path in LEGACY_ENV.items():
            raw = os.environ.get(name)
            if raw is None or raw == "":
                continue
            value: Any = raw
            if path == ("web", "cors_origins"):
                value = [origin.strip() for origin in raw.split(",") if origin.strip()]
            target = data
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = value
        return data


class Settings(BaseSettings):
    """All of bookagent's configuration, validated once at startup."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_nested_delimiter="__",
        extra="ignore",
        case_sensitive=False,
    )

    data_dir: Path = Path("./var")
    # Where the posts' images are kept (default: `<data_dir>/media`). Every process that writes
    # or publishes posts (the API, each Celery worker) must see the same folder.
    media_dir: Path | None = None
    admin_token: SecretStr | None = None
    log_level: str = "INFO"
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    timeouts: TimeoutSettings = Field(default_factory=TimeoutSettings)
    writers: WriterSettings = Field(default_factory=WriterSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    publishers: PublisherSettings = Field(default_factory=PublisherSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    # Per-platform overrides of the limits data, e.g. BOOKAGENT_PLATFORMS__MASTODON__MAX_LENGTH.
    platforms: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Init values, then `BOOKAGENT_*`, then legacy names, then defaults."""
        return (init_settings, env_settings, LegacyEnvSource(settings_cls), file_secret_settings)

    @model_validator(mode="after")
    def _check_writer_credentials(self) -> Settings:
        writers = self.writers
        if (
            writers.default == "openai"
            and not _secret(writers.openai_api_key)
            and not writers.openai_base_url
        ):
            raise ValueError(
                "BOOKAGENT_WRITER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local "
                "OpenAI-compatible server such as Ollama)"
            )
        if writers.default == "anthropic" and not _secret(writers.anthropic_api_key):
            raise ValueError("BOOKAGENT_WRITER=anthropic needs ANTHROPIC_API_KEY")
        return self

    @model_validator(mode="after")
    def _check_visibility_timeout(self) -> Settings:
        longest = self.longest_hard_limit_s
        chosen = self.queue.visibility_timeout_s
        if chosen is not None and chosen <= longest:
            raise ValueError(
                f"queue.visibility_timeout_s ({chosen:g}) must be longer than the longest task "
                f"hard limit ({longest:g} s), or Redis would hand a running task to a second worker"
            )
        return self

    @property
    def longest_hard_limit_s(self) -> float:
        """The longest hard time limit any task can have (soft limit plus a margin)."""
        return max(float(v) for v in self.timeouts.model_dump().values()) + HARD_LIMIT_MARGIN_S

    @property
    def visibility_timeout_s(self) -> float:
        """How long Redis waits before redelivering an unacked task."""
        return self.queue.visibility_timeout_s or self.longest_hard_limit_s + 60

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL: `db.url`, or a SQLite file in the data directory."""
        if self.db.url:
            return _normalize_database_url(self.db.url)
        return f"sqlite:///{(self.data_dir / 'bookagent.db').resolve()}"

    @property
    def result_backend_url(self) -> str:
        """Celery's result backend; task state lives in the database, so this is transport only."""
        return self.queue.result_backend or self.queue.broker_url

    @property
    def admin_token_value(self) -> str | None:
        """The bootstrap admin token, if one is set and not empty."""
        return _secret(self.admin_token)


def _secret(value: SecretStr | None) -> str | None:
    raw = value.get_secret_value().strip() if value is not None else ""
    return raw or None


def _normalize_database_url(url: str) -> str:
    # Heroku-style and bare postgresql:// URLs go through psycopg 3, the driver we install.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def variable_names(model: type[BaseModel] = Settings, prefix: str = PREFIX) -> list[str]:
    """Every `BOOKAGENT_*` variable a setting reads (a nested model's fields under `__`)."""
    names = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += variable_names(annotation, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def unknown_variables(environ: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """The `BOOKAGENT_*` variables of `environ` that no setting reads (a misspelt name is
    otherwise ignored without a word), each with the known name closest to it, if any is close.
    `BOOKAGENT_PLATFORMS__<platform>__<field>` is the platforms' data, checked when applied."""
    known = {*variable_names(), *LEGACY_ENV}
    free = f"{PREFIX}PLATFORMS__"
    found = []
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(PREFIX) or upper in known or upper.startswith(free):
            continue
        close = difflib.get_close_matches(upper, known, n=1, cutoff=0.8)
        found.append((name, close[0] if close else None))
    return found


def describe_unknown(unknown: list[tuple[str, str | None]]) -> str:
    """`unknown_variables` as one sentence."""
    return "; ".join(
        f"{name} (did you mean {close}?)" if close else name for name, close in unknown
    )


def load_settings(**overrides: Any) -> Settings:
    """Build Settings from the environment, or raise ConfigurationError naming each bad field."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = ".".join(str(part) for part in error["loc"]) or "settings"
            problems.append(f"{location}: {error['msg']}")
        raise ConfigurationError("Invalid configuration: " + "; ".join(problems)) from None
