"""POST /api/v1/tokens: a bearer token for a username and password; DELETE revokes it."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from werkzeug.security import check_password_hash

from loanflow.accounts.models import ApiToken, User
from loanflow.accounts.schemas import TokenRequest, TokenResponse
from loanflow.accounts.tokens import new_token_secret, token_digest
from loanflow.api.auth import login_required
from loanflow.core import clock
from loanflow.core.errors import Unauthorized, msg
from loanflow.extensions import db

blp = Blueprint("tokens", __name__, description="Bearer tokens")


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenRequest)
    @blp.response(201, TokenResponse)
    def post(self, args):
        """Issue a bearer token (only its SHA-256 is stored)."""
        user = db.session.scalar(select(User).where(User.username == args["username"]))
        if user is None or not user.active or not check_password_hash(user.password_hash, args["password"]):
            raise Unauthorized(msg("用户名或密码错误", "Wrong username or password"))
        secret = new_token_secret()
        db.session.add(ApiToken(user_id=user.id, token_hash=token_digest(secret), created_at=clock.now()))
        return {"token": secret, "user": user}

    @login_required
    @blp.response(204)
    def delete(self):
        """Revoke the token this request carries."""
        g.token.revoked_at = clock.now()
        return ""
