"""gunicorn settings for production, read from the working directory (`gunicorn cms.wsgi`).

The access log (when enabled with --access-logfile) records the path without its query string,
so secrets in query strings (the Mailchimp webhook's ?key=) never reach it; the logger class
redacts key=/secret=/token= values anywhere as a second line of defence.
"""

logger_class = "cms.logredact.RedactingGunicornLogger"
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)
