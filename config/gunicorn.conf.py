"""gunicorn for `make serve` and production: threaded workers behind a reverse proxy.

Each setting can be overridden from the environment (see docs/deployment.md).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# A page is mostly Python (the ORM, the templates) and the GIL runs one thread of a process at a
# time, so: two processes a core with two threads each. With 2 processes x 8 threads a query-heavy
# page waited for the GIL after each database round trip. Measured together with keep-alive off
# (below) on 2 cores at 10 users: the patient page's p95 391 -> 165 ms (docs/deployment.md).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A full listen queue drops connections; runserver's is 10.
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# No keep-alive by default: a gthread worker serves every request of a kept-alive connection
# itself, so a client stays with one busy worker while others idle; closing after each response
# lets the next request go to whichever worker accepts first. Behind a reverse proxy that does
# not keep upstream connections open (nginx's default) this changes nothing; set
# GUNICORN_KEEPALIVE (seconds) when clients talk to gunicorn directly over slow links.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
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
