"""Run the app under gunicorn (threads per worker; several workers share the database)."""

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, app, options: dict) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def serve(config: dict, host: str, port: int) -> None:
    """Serve until stopped; no access log, since it would hold client addresses."""
    from app import create_app

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
    }
    _Server(create_app(config), options).run()
