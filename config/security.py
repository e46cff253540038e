"""Response headers every page carries.

Django's SecurityMiddleware already sends nosniff, Referrer-Policy and COOP (settings in
base.py); this adds the Content-Security-Policy and ``Cache-Control: no-store``. Every dynamic
response is marked no-store because almost every page shows patient data and a shared clinic
computer must not keep a copy. Static files are answered by WhiteNoise before this middleware
runs, so they keep their long cache lifetimes.
"""

from django.conf import settings


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        if "frame-ancestors" not in response["Content-Security-Policy"]:
            # A view may set a stricter policy of its own (an uploaded image); framing stays
            # forbidden whatever it says.
            response["Content-Security-Policy"] += "; frame-ancestors 'none'"
        response["Cache-Control"] = "no-store"
        return response
