"""What makes the app installable: the manifest, the service worker, the offline page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from web.errors.pages import PageRoute
from web.i18n import translate
from web.pages.rendering import STATIC_DIR, render, static_url

router = APIRouter(route_class=PageRoute)


@router.get("/manifest.webmanifest")
def manifest(request: Request) -> JSONResponse:
    """The web app manifest, named in the visitor's language."""
    locale = request.state.locale
    return JSONResponse(
        {
            "name": translate(locale, "Linggong: gig work near you"),
            "short_name": translate(locale, "Linggong"),
            "start_url": "/?source=pwa",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#c62828",
            "lang": "zh-CN" if locale.startswith("zh") else "en",
            "icons": [
                {"src": static_url(f"icons/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png"}
                for n in (192, 512)
            ]
            + [
                {
                    "src": static_url("icons/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                }
            ],
        },
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/sw.js")
def service_worker() -> Response:
    """Served from the root so that it may control every page."""
    return FileResponse(
        STATIC_DIR / "js" / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/offline")
def offline(request: Request) -> Response:
    """Shown by the service worker when there is no network; carries nothing personal."""
    return render(request, "pwa/offline.html", private=False)
