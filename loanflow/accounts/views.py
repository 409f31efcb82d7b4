"""Log in and out of the pages (session cookie, CSRF-protected form)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from loanflow.accounts.login import authenticate, end_sessions, same_site_path, session_user
from loanflow.accounts.users import record_login
from loanflow.core.errors import TooManyAttempts, Unauthorized, text
from loanflow.extensions import login_manager
from loanflow.web.blueprint import bp
from loanflow.web.present import lang

login_manager.user_loader(session_user)
login_manager.login_view = "web.login"
login_manager.login_message = lazy_gettext("Please log in to see this page.")


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired()])
    password = PasswordField("password", validators=[DataRequired()])


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login page; afterwards back to ``next`` when it is a page of this site."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 200 if request.method == "GET" else 401
    try:
        login_user(authenticate(form.username.data, form.password.data, request.remote_addr))
    except (Unauthorized, TooManyAttempts) as refused:
        flash(text(refused.message, lang()), "error")
        headers = {"Retry-After": str(refused.retry_after)} if isinstance(refused, TooManyAttempts) else {}
        return render_template("accounts/login.html", form=form), refused.status, headers
    record_login(current_user)
    if current_user.must_change_password:
        return redirect(url_for("web.change_password"))
    return redirect(same_site_path(request.args.get("next")) or url_for("web.home"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out: this and every other session of the user end on the server, not only in this browser."""
    end_sessions(current_user)
    logout_user()
    return redirect(url_for("web.login"))
