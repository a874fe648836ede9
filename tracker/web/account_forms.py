"""Forms of accounts: choosing, resetting and changing a password; managers' account controls."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from tracker.services.people import EMAIL_PATTERN
from tracker.web.forms import StaffForm

NEW_PASSWORD = {"autocomplete": "new-password"}


class NewPasswordForm(FlaskForm):
    """The rules themselves (length, common passwords) are tracker.services.passwords'."""

    password = PasswordField("New password", validators=[DataRequired("Choose a password.")], render_kw=NEW_PASSWORD)
    confirm = PasswordField("The same password again", render_kw=NEW_PASSWORD, validators=[
        EqualTo("password", "The two passwords differ: type the same one in both boxes.")])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired("Enter your current password.")],
                            render_kw={"autocomplete": "current-password"})


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", filters=[lambda value: value.strip() if value else value],
                       validators=[DataRequired("Enter your e-mail address."), Length(max=254),
                                   Regexp(EMAIL_PATTERN, message="Enter an e-mail address like name@example.org.")],
                       render_kw={"autocomplete": "username", "autofocus": True})


class InvitingStaffForm(StaffForm):
    invite = BooleanField("E-mail an invitation to sign in (they choose their own password)", default=True)


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired("Type the code your app shows."), Length(max=40)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True})
