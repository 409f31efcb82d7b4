"""Users with one role and one region node, and their API tokens (only a hash stored)."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanflow.core.regions import Branch, Region
from loanflow.core.types import UtcDateTime
from loanflow.extensions import db

ROLES = ("clerk", "bank_officer", "approver", "supervisor", "admin")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    phone: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(default=1)
    # Bumped at logout: a page session names the generation it began in, so a copied or replayed
    # cookie stops working on the server when its user logs out (the cookie itself cannot be recalled).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    branch = relationship(Branch)
    region = relationship(Region)
    __table_args__ = (
        CheckConstraint("role in ('clerk', 'bank_officer', 'approver', 'supervisor', 'admin')", name="role"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated user cannot log in
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie names (``load_user`` checks both)
        return f"{self.id}:{self.session_generation}"

    @property
    def county_code(self) -> str:
        return self.region_code[:6]

    @property
    def township_codes(self) -> list[str]:
        """The townships the user's branch serves (a bank officer's scope); none without a branch.

        A request with a bearer token reads them with the token (``tokens.bearer``: one statement, no
        branch loaded); elsewhere they come from the branch."""
        known = self.__dict__.get("_township_codes")
        if known is not None:
            return known
        return self.branch.township_codes if self.branch is not None else []

    def know_township_codes(self, codes: list[str]) -> None:
        """Keep the branch's townships read beside the user (for this session's copy of the user)."""
        self.__dict__["_township_codes"] = codes

    @property
    def region_level(self) -> str:
        return {6: "county", 9: "township", 12: "village"}[len(self.region_code)]


class ApiToken(db.Model):
    """A bearer token: the SHA-256 of the secret is stored, never the secret."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # set at issue from the policy in force (``token_hours``); NULL only for tokens older than expiry
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    user = relationship(User)
