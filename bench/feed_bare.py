"""The bare baseline of `python -m bench feed`: FastAPI with one `async def` endpoint."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def root() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def main() -> None:
    """The same app served as `linggong serve` serves ours (`web.serving`: a socket per
    worker, TCP_NODELAY), for the bench's second baseline row."""
    import argparse

    from web.serving import serve

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    serve("bench.feed_bare:app", host="127.0.0.1", port=port, workers=2, log_level="warning")


if __name__ == "__main__":
    main()
