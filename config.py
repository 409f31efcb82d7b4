"""Settings, read from the environment (twelve-factor); nothing secret lives in the repo."""

import os


class Config:
    """Production and development settings."""

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None → SQLite in the instance folder
    SECRET_KEY = os.environ.get("SECRET_KEY")  # None → generated once into the instance folder
    LOANFLOW_TODAY = os.environ.get("LOANFLOW_TODAY")  # the business date, e.g. 2026-03-10; None → today
    LOANFLOW_TIMEZONE = "Asia/Shanghai"
    # No ping before each checkout (a round trip on every request): a connection the database dropped
    # fails its request with 503 + Retry-After and the pool reconnects (``loanflow.api._connection_lost``).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    API_TITLE = "loanflow"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    PAGE_SIZE = 50
    PASSWORD_HASH_METHOD = "scrypt"
    MAX_PAGE_SIZE = 500
    # Logins: wrong passwords counted per user and per address; where the counters live (``redis://…``
    # so that every node shares them).
    LOGIN_FAILURE_LIMIT = "5 per 15 minutes"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    # Behind a TLS-terminating proxy: how many proxies to trust for X-Forwarded-For/-Proto (ProxyFix),
    # and cookies marked Secure (the browser then never sends them over plain HTTP).
    TRUSTED_PROXIES = int(os.environ.get("LOANFLOW_TRUSTED_PROXIES", "0"))
    SESSION_COOKIE_SECURE = os.environ.get("LOANFLOW_SECURE_COOKIES", "").lower() in ("1", "true", "yes")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # The audit checkpoints (审计检查点): the HMAC key (else generated into the instance folder) and the
    # directory of the checkpoint log (else the instance folder); neither is in the database.
    AUDIT_CHECKPOINT_KEY = os.environ.get("LOANFLOW_AUDIT_KEY")
    AUDIT_CHECKPOINT_DIR = os.environ.get("LOANFLOW_AUDIT_CHECKPOINT_DIR")
    # The background queue (huey): Redis when set (e.g. redis://queue-host:6379/0), so that every node
    # enqueues into one queue; else a SQLite file (None → instance/queue.db) for one machine.
    LOANFLOW_QUEUE_URL = os.environ.get("LOANFLOW_QUEUE_URL")
    LOANFLOW_QUEUE_FILE = os.environ.get("LOANFLOW_QUEUE_FILE")
    LOANFLOW_QUEUE_IMMEDIATE = False  # True: a task runs where it is enqueued (tests)
    HOUSEHOLD_IMPORT_SYNC_ROWS = int(os.environ.get("HOUSEHOLD_IMPORT_SYNC_ROWS", "1000"))  # more: a job
    HOUSEHOLD_IMPORT_MAX_ROWS = int(os.environ.get("HOUSEHOLD_IMPORT_MAX_ROWS", "50000"))  # more: refused


class TestConfig(Config):
    """pytest: a database per test run, a fixed business date, no CSRF on API-style form posts."""

    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
    SECRET_KEY = "test-only-secret"
    LOANFLOW_TODAY = os.environ.get("LOANFLOW_TODAY", "2026-03-10")
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast for tests only
    LOANFLOW_QUEUE_IMMEDIATE = True  # background jobs run at once, inside the test's transaction
