"""POST /api/v1/tokens: a bearer token for a username and password; DELETE revokes it."""

from __future__ import annotations

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from loanflow.accounts.login import authenticate
from loanflow.accounts.schemas import TokenRequest, TokenResponse
from loanflow.accounts.tokens import issue_token
from loanflow.api.auth import login_required
from loanflow.core import clock
from loanflow.core.errors import Forbidden, msg

blp = Blueprint("tokens", __name__, description="Bearer tokens")


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenRequest)
    @blp.response(201, TokenResponse)
    @blp.alt_response(401, response="UNAUTHORIZED")  # a wrong password, an unknown or deactivated user
    @blp.alt_response(403, response="FORBIDDEN")  # a password an admin set: changed on the pages first
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")  # too many wrong passwords: wait Retry-After
    def post(self, args):
        """Issue a bearer token (only its SHA-256 is stored); it expires after the policy's ``token_hours``."""
        user = authenticate(args["username"], args["password"], request.remote_addr)
        if user.must_change_password:
            raise Forbidden(
                msg(
                    "管理员设置的密码须先在登录页面修改，才能申请令牌",
                    "A password an admin set must be changed on the pages before a token is issued",
                )
            )
        secret, token = issue_token(user)
        return {"token": secret, "user": user, "expires_at": token.expires_at}

    @login_required
    @blp.response(204)
    def delete(self):
        """Revoke the token this request carries."""
        g.token.row().revoked_at = clock.now()
        return ""
