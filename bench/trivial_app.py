"""The baseline: parse the JSON body and answer 204, served exactly like `faultline serve`."""

import argparse
import gzip
import json
import sys
from pathlib import Path

from flask import Flask, Response, request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def create_trivial_app() -> Flask:
    """A Flask app with the ingest routes (tracker and Sentry envelope) and a health check, and
    nothing else."""
    trivial = Flask(__name__)

    @trivial.post("/track/exception")
    @trivial.post("/track/hit", endpoint="track_hit")
    def track_exception() -> Response:
        json.loads(request.get_data())
        return Response(status=204)

    @trivial.post("/api/<int:project_id>/envelope/")
    def envelope(project_id: int) -> Response:
        # The envelope's counterpart of json.loads: inflate, then parse every JSON line.
        body = request.get_data()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        header, *_rest = [json.loads(line) for line in body.split(b"\n") if line.strip()]
        return Response(json.dumps({"id": header.get("event_id")}), mimetype="application/json")

    @trivial.get("/api/v1/health")
    def health() -> dict:
        return {"ok": True}

    return trivial


def main() -> None:
    """Serve the trivial app through app.server.serve, so gunicorn options cannot drift."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    import app.server
    from app.config import load_config

    # The same serve() as `faultline serve`, with only the app swapped: the gunicorn options
    # (worker class, workers, threads, logs) cannot drift from the real server's.
    app.server.serve(load_config(args.config), args.host, args.port, create_trivial_app)


if __name__ == "__main__":
    main()
