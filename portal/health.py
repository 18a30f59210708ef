"""``/healthz``: is this app server able to answer and reach PostgreSQL?

For load balancers and monitoring (200 ``ok`` / 503 ``unavailable``), and the
"bare Django view" of ``bench/load.sh``: the full middleware stack plus one
``SELECT 1``, nothing else. It passes the normal host check, so probe it with the
site's ``Host`` header; it is exempt from the HTTPS redirect so a probe on the
loopback interface needs no TLS.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("portal.health")


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unavailable")
        return HttpResponse(
            "unavailable\n", status=503, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
