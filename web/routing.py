"""Route matching whose cost does not grow with every router the app includes.

FastAPI 0.165 (pinned in the locks) keeps included routers nested: a request is matched by
asking each included router in turn, each of which asks each of its own routes, at every
level twice (once to match, once to hand over), and before each ask it walks the router's
tree again to learn whether routes were added since. With the app's 285 routes in three
levels, a request for a route registered late spent about a millisecond matching (a 404
took 1.2 ms in process; the feed, matched early, 0.7 ms in all), a fifth of the CPU of
`bench load`'s mix. Two changes, neither changing what matches what:

- an included router whose prefix (up to its first path parameter, if it has one) the path
  does not start with answers "no match" without asking its routes: every route under it
  carries that prefix;
- once the app is built, the included routers' versions are read once and kept: their
  routes never change after `create_app` (the app's own top-level router is left live, so
  a route added to the app later still counts).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi import routing as fastapi_routing
from starlette._utils import get_route_path
from starlette.routing import Match

_Included: Any = getattr(fastapi_routing, "_IncludedRouter", None)
_plain_matches = None if _Included is None else _Included.matches


def _matches_by_prefix(self: Any, scope: Any) -> tuple[Match, Any]:
    head = (self.include_context.prefix + self.original_router.prefix).split("{", 1)[0]
    if head and not get_route_path(scope).startswith(head):
        return Match.NONE, {}
    assert _plain_matches is not None
    result: tuple[Match, Any] = _plain_matches(self, scope)
    return result


def _included_routers(router: Any, found: dict[int, Any]) -> None:
    for route in router.routes:
        if _Included is not None and isinstance(route, _Included):
            child = route.original_router
            if id(child) not in found:
                found[id(child)] = child
                _included_routers(child, found)


def fast_matching(app: FastAPI) -> None:
    """Apply both changes to the app's included routers (a no-op on a FastAPI without
    nested routers, where neither cost exists)."""
    if _Included is None or not hasattr(fastapi_routing.APIRouter, "_get_routes_version"):
        return
    _Included.matches = _matches_by_prefix
    found: dict[int, Any] = {}
    _included_routers(app.router, found)
    for router in found.values():
        version = router._get_routes_version()
        router._get_routes_version = lambda seen=None, version=version: version
