"""The /auth/oidc/<name>/start and /callback routes."""

from flask import Blueprint

bp = Blueprint("oidc", __name__)
