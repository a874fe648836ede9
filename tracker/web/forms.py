"""HTML forms. Flask-WTF adds the CSRF token to each; the staff rules themselves live in
tracker.services.people, so the form only collects text and shows the errors next to each field."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.services.acknowledgements import STATEMENT
from tracker.services.people import EMAIL_PATTERN


def options(pairs: Iterable[tuple[str, str]], blank: str | None = None) -> list[SelectChoice]:
    """A select's options from (value, label) pairs, after an empty one labelled ``blank`` if given."""
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + [SelectChoice(value, label) for value, label in pairs]


class SignInForm(FlaskForm):
    email = EmailField("E-mail", filters=[lambda value: value.strip() if value else value],
                       validators=[DataRequired("Enter your e-mail address."), Length(max=254),
                                   Regexp(EMAIL_PATTERN, message="Enter an e-mail address like name@example.org.")],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")],
                             render_kw={"autocomplete": "current-password"})


class AcknowledgeForm(FlaskForm):
    # The version and fingerprint of the text on screen: if the policy changes before the form is
    # sent, the signature is refused rather than attached to a text the person did not read.
    version = HiddenField()
    fingerprint = HiddenField()
    agree = BooleanField(STATEMENT, validators=[
        DataRequired("Tick the box to confirm that you have read this policy and will follow it.")])
    signature_name = StringField("Type your full name to sign", validators=[
        InputRequired("Type your full name to sign.")], render_kw={"autocomplete": "name"})


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StaffForm(FlaskForm):
    name = StringField("Full name", render_kw={"autocomplete": "off"})
    email = EmailField("E-mail", render_kw={"autocomplete": "off"})
    job_title = StringField("Job title")
    roles = CheckboxListField("Roles")
    location = SelectField("Location")
    # Dates stay text, checked by tracker.services.people like every other way staff records arrive.
    hire_date = StringField("Hire date", render_kw={"type": "date"})
    left_on = StringField("Left on (leave empty while employed)", render_kw={"type": "date"})
