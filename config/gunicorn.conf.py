"""gunicorn for `make serve` and production: threaded workers behind a reverse proxy.

Each setting can be overridden from the environment (see docs/deployment.md).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A full listen queue drops connections; runserver's is 10.
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# No recycling of workers by default: a gthread worker restarting after max_requests resets
# the connections it has accepted but not served (gunicorn issue #3038; the web benchmark saw
# five "Connection reset by peer" at 30 users when a worker reached 5,000 requests). Set
# GUNICORN_MAX_REQUESTS to recycle anyway (e.g. to bound a leak while it is being found).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# Only the reverse proxy may set X-Forwarded-* (the app reads the client address itself).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# No query strings in the access log: a search is POSTed, but keep URLs short anyway.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms req=%({x-request-id}o)s'
