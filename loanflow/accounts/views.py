"""Log in and out of the pages (session cookie, CSRF-protected form)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from loanflow.accounts.models import User
from loanflow.accounts.users import record_login
from loanflow.extensions import db, login_manager
from loanflow.web.blueprint import bp


@login_manager.user_loader
def load_user(user_id: str):
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None  # deactivated: the session ends at once


login_manager.login_view = "web.login"
login_manager.login_message = lazy_gettext("Please log in to see this page.")


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired()])
    password = PasswordField("password", validators=[DataRequired()])


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login page."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data))
        if user and user.active and check_password_hash(user.password_hash, form.password.data):
            login_user(user)
            record_login(user)
            if user.must_change_password:
                return redirect(url_for("web.change_password"))
            target = request.args.get("next") or ""
            return redirect(
                target if target.startswith("/") and not target.startswith("//") else url_for("web.home")
            )
        flash(_("Wrong username or password."), "error")
    return render_template("accounts/login.html", form=form), 200 if request.method == "GET" else 401


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out."""
    logout_user()
    return redirect(url_for("web.login"))
