"""Probes for the load balancer and the orchestrator: GET /healthz and GET /readyz, outside /crm/
and its envelope, no headers, no token, JSON.

- `/healthz` (liveness): the process answers. It never touches the database, so a database
  outage does not get healthy processes restarted.
- `/readyz` (readiness): the database answers and every migration is applied, so traffic only
  reaches a process that can serve it; 503 otherwise. A shared cache (Redis) that does not answer
  makes it 200 "degraded", not 503: the API serves without the cache (throttles fail open), and
  taking every process out of rotation for it would turn a Redis fault into an outage.

They are answered by a middleware placed before Django's host check and HTTPS redirect: probes
come over plain HTTP and address the process by IP, which ALLOWED_HOSTS rightly refuses for
every other path. Nothing in a probe's answer depends on the Host header.
"""

import logging

from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.http import JsonResponse
from django.views.decorators.http import require_safe

from crmtickets.cache import cache_reachable

logger = logging.getLogger("tickets.health")


@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request):
    try:
        loader = MigrationLoader(connection)
        # Every migration on disk, not only the plan to the leaves: a hole below an applied
        # migration (one recorded as unapplied) is a schema this code was not written for.
        pending = sorted(set(loader.graph.nodes) - set(loader.applied_migrations))
    except DatabaseError as exc:
        logger.warning("Not ready: database unreachable: %s", exc)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if pending:
        names = [f"{app_label}.{name}" for app_label, name in pending]
        return JsonResponse(
            {"status": "unavailable", "database": "ok", "pending_migrations": names}, status=503
        )
    if not cache_reachable():
        return JsonResponse(
            {"status": "degraded", "database": "ok", "cache": "unreachable", "pending_migrations": []}
        )
    return JsonResponse({"status": "ready", "database": "ok", "cache": "ok", "pending_migrations": []})


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path.rstrip("/"))
        if probe is None:
            return self.get_response(request)
        return probe(request)
