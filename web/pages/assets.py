"""Static files under content-hashed URLs, so a phone keeps each for a year and never asks twice.

`/static/<path>?v=<hash>` names one version of a file. A JavaScript module's imports
(`from "./refresh.js"`, `import("/static/js/live.js")`) are rewritten to the hashed URLs of
the files they name, and a module's hash covers its imports' hashes: change `live.js` and
every module that loads it gets a new URL too. A page lists the whole module graph as
`<link rel="modulepreload">`, so the browser fetches it at once instead of one file after
the other.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
# a static import or a dynamic import() of one of our modules, by relative or absolute path
IMPORT = re.compile(
    r"""(\bfrom\s*|\bimport\s*\(\s*)(["'])(\./[\w.-]+\.js|/static/js/[\w.-]+\.js)\2"""
)
MODULE = re.compile(r"^js/[\w.-]+\.js$")
NOT_REWRITTEN = frozenset({"js/sw.js"})  # served at /sw.js: it names files by plain path


@dataclass(frozen=True)
class Asset:
    body: bytes  # what is served: a module's imports point at hashed URLs
    digest: str
    imports: tuple[str, ...]  # static paths of every module it loads, directly or not


def _target(spec: str, importer: str) -> str:
    if spec.startswith("/static/"):
        return spec.removeprefix("/static/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))


@cache
def asset(path: str) -> Asset:
    """The file at `static/<path>` as served, its content hash, and what it imports."""
    raw = (STATIC_DIR / path).read_bytes()
    if not MODULE.match(path) or path in NOT_REWRITTEN:
        return Asset(body=raw, digest=hashlib.sha1(raw).hexdigest()[:10], imports=())
    imports: list[str] = []

    def hashed(found: re.Match[str]) -> str:
        target = _target(found.group(3), path)
        if target == path:  # a usage example in the module's own comment
            return found.group(0)
        imports.extend([target, *asset(target).imports])
        quote = found.group(2)
        return f"{found.group(1)}{quote}{url(target)}{quote}"

    body = IMPORT.sub(hashed, raw.decode("utf-8")).encode("utf-8")
    unique = tuple(dict.fromkeys(imports))
    return Asset(body=body, digest=hashlib.sha1(body).hexdigest()[:10], imports=unique)


def url(path: str) -> str:
    """`/static/<path>?v=<content hash>`."""
    return f"/static/{path}?v={asset(path).digest}"


def module_script(path: str) -> Markup:
    """A page's module script, with its whole import graph preloaded in parallel."""
    preloads = [
        Markup('<link rel="modulepreload" href="{}">\n').format(url(dep))
        for dep in asset(path).imports
    ]
    script = Markup('<script type="module" src="{}"></script>').format(url(path))
    return Markup("").join([*preloads, script])
