"""gunicorn settings for production: ``gunicorn -c deploy/gunicorn.conf.py gongkai.wsgi``.

Every value can be overridden from the environment (the systemd unit reads
/etc/gongkai/gongkai.env), so one file serves every app server of a deployment.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise SystemExit(f"{name} must be at least 1, not {number}")
    return number


# Behind nginx on the same machine; a TCP port so several app servers can sit behind one balancer.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The requests are mostly database-bound: (2 × cores) + 1 synchronous workers keep the cores busy
# while some wait on PostgreSQL. WEB_CONCURRENCY overrides (a small VM with little memory).
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
# A request past this is a bug or an attack; nginx's proxy_read_timeout is set above it.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Workers are recycled now and then so a slow leak (a large PDF render) cannot grow without bound;
# the jitter keeps them from all restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max(1, max_requests // 10)
# Limits on the request line and headers; bodies are limited by nginx (client_max_body_size).
limit_request_line = 8190
limit_request_fields = 100
# Not preloaded: each worker imports the app itself, so `systemctl reload` (HUP) picks up new code
# after an upgrade without dropping connections, and no database connection is shared across fork.
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# gunicorn's control socket (a file under the user's home) is not used: systemd and signals manage
# the server, and the unit's home is read-only.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def post_worker_init(worker: object) -> None:
    """Load jieba's dictionary (about a second) as the worker starts, not on its first search."""
    from gongkai.search.segment import warm_up

    warm_up()
