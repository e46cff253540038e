from .models import AccessKind
from .services import access_record


class DeniedAccessAuditMiddleware:
    """Records a refused request (403 or 404) for a patient's data as an access event.

    Every URL that shows one patient's data names it ``patient_id``; that convention is what
    lets this single place see all of them, including pages added later.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404) and request.user.is_authenticated:
            match = request.resolver_match
            patient_id = match.kwargs.get("patient_id") if match else None
            if patient_id is not None:
                access_record(
                    user=request.user,
                    patient_id=patient_id,
                    kind=AccessKind.DENIED,
                    path=request.path,
                    status_code=response.status_code,
                )
        return response
