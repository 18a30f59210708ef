from __future__ import annotations

from django.core.cache import cache

from portal.models import SiteIdentity

_CACHE_KEY = "portal:site_identity"


def site(request) -> dict:
    identity = cache.get(_CACHE_KEY)
    if identity is None:
        identity = SiteIdentity.load()
        cache.set(_CACHE_KEY, identity, 60)
    return {"site": identity}


def forget_site_identity() -> None:
    cache.delete(_CACHE_KEY)
