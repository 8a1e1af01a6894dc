"""Account forms. Field rules the person can fix are checked here; rules that need the database in services."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp, ValidationError

from ..core.permissions import ROLES
from ..core.timeutil import zone_names
from .services import MIN_PASSWORD, USERNAME, USERNAME_RULE


class ChoiceField(SelectField):
    """A select whose refusal names what to do, instead of WTForms' "Not a valid choice"."""

    def __init__(self, *args, refusal: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = refusal

    def pre_validate(self, form):
        if self.data not in {self.coerce(choice.value) for choice in self.iter_choices()}:
            raise ValidationError(self.refusal)


def _zone_choices():
    return [SelectChoice(z, z.replace("_", " ")) for z in zone_names()]


class RegisterForm(FlaskForm):
    username = StringField("Username", validators=[
        DataRequired("Choose a username."), Regexp(USERNAME, message=USERNAME_RULE)],
        description="How others will @mention you. 3 to 30 characters.")
    email = StringField("Email address", validators=[
        DataRequired("Enter your email address."), Email("That email address doesn't look right."),
        Length(max=320)], description="We send a link to confirm it. Others never see it.")
    password = PasswordField("Password", validators=[
        DataRequired("Choose a password."),
        Length(MIN_PASSWORD, 200, f"Use at least {MIN_PASSWORD} characters for your password.")],
        description=f"At least {MIN_PASSWORD} characters. A few unrelated words work well.")
    time_zone = ChoiceField("Time zone", choices=_zone_choices, default="UTC", render_kw={"data-detect-zone": ""},
                            description="Event times are shown in it.", refusal="Choose a time zone from the list.")


class LoginForm(FlaskForm):
    login = StringField("Username or email", validators=[DataRequired("Enter your username or email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class EmailForm(FlaskForm):
    email = StringField("Email address", validators=[
        DataRequired("Enter your email address."), Email("That email address doesn't look right.")])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired("Choose a new password."),
        Length(MIN_PASSWORD, 200, f"Use at least {MIN_PASSWORD} characters for your password.")])
    confirm = PasswordField("New password again", validators=[
        DataRequired("Type the new password again."), EqualTo("password", "The two passwords don't match.")])


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", validators=[Length(max=80, message="Keep it under 80 characters.")],
                               description="Your name as others see it. Leave empty to use your username.")
    bio = TextAreaField("About you", validators=[Length(max=5000, message="Keep it under 5,000 characters.")],
                        description="Markdown works: **bold**, *italic*, [links](https://example.com), lists.")
    time_zone = ChoiceField("Time zone", choices=_zone_choices, refusal="Choose a time zone from the list.")


class RoleForm(FlaskForm):
    role = ChoiceField("Role", choices=[SelectChoice(role, role.capitalize()) for role in ROLES],
                       refusal=f"Choose one of: {', '.join(ROLES)}.")


class SuspendForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[
        DataRequired("Say why: the member is shown this reason when they try to sign in."), Length(max=1000)],
        description="The member sees this when they try to sign in.")
