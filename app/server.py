"""Run a WSGI app under gunicorn: gthread workers, each building its own app after the fork."""

from collections.abc import Callable

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, build_app: Callable, options: dict) -> None:
        self.build_app = build_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Called in each worker: the master stays small and no connection crosses a fork
        # (nor a thread: the retention and alerts threads start here, after the fork).
        from app.alerts.worker import start_worker
        from app.store.retention import start_retention

        app = self.build_app()
        if "faultline.engine" in app.extensions:
            config = app.config["FAULTLINE"]
            engine = app.extensions["faultline.engine"]
            start_retention(engine, config["retention"]["days"])
            if config["alerts"]["worker"]:
                # Alerts queue for the write turn with this process's ingest (see writer.py).
                start_worker(engine, config, app.extensions["faultline.writer"].turn)
        return app


def serve(config: dict, host: str, port: int, build_app: Callable | None = None) -> None:
    """Serve until stopped; no access log, since it would hold client addresses."""
    if build_app is None:
        from app import create_app

        def build_app():
            return create_app(config)

    options = {
        "bind": f"{host}:{port}",
        "workers": config["web"]["workers"],
        "threads": config["web"]["threads"],
        "worker_class": "gthread",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "timeout": 60,
        "graceful_timeout": 10,
        "forwarded_allow_ips": "127.0.0.1" if config["web"]["trust_proxy"] else "",
        # One fixed control-socket path would be shared by every instance on the machine.
        "control_socket_disable": True,
    }
    _Server(build_app, options).run()
