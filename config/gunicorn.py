"""gunicorn settings for production: ``gunicorn config.wsgi -c config/gunicorn.py``.

Access log lines carry the path without its query string, because a patient search
(``/patients/?q=...``) holds a name or a date of birth, and logs must not.
"""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
# A request that runs longer than this is cut off (the database statement timeout is 30 s).
timeout = 60
