"""Advocate programme forms."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from .rules import AWARD_RANGE


class AwardForm(FlaskForm):
    username = StringField("Member's username", validators=[DataRequired("Enter the member's username."),
                                                            Length(max=30)])
    points = IntegerField("Points", default=10, validators=[NumberRange(*AWARD_RANGE, message=(
        f"From {AWARD_RANGE[0]} to {AWARD_RANGE[1]} points."))])
    reason = TextAreaField("What it is for", validators=[DataRequired("Say what the award is for."),
                                                         Length(10, 500, "In 10 to 500 characters.")],
                           description="The member reads this in their ledger, e.g. “Spoke at our partner "
                           "conference in Lisbon”.")


class BadgeForm(FlaskForm):
    username = StringField("Member's username", validators=[DataRequired("Enter the member's username."),
                                                            Length(max=30)])
    name = StringField("Badge", validators=[DataRequired("Name the badge."), Length(3, 80)],
                       description="e.g. “Beta tester”, “Conference speaker”.")
    reason = TextAreaField("Why", validators=[DataRequired("Say why."), Length(10, 500, "In 10 to 500 characters.")],
                           description="Shown with the badge on the member's page.")


class MilestoneForm(FlaskForm):
    username = StringField("Member's username", validators=[DataRequired("Enter the member's username."),
                                                            Length(max=30)])
    text = StringField("Their milestone", validators=[DataRequired("Describe the milestone."), Length(5, 200)],
                       description="Finishes “you …”: “went live with Harbor”, “got certified”, “5 years with us”. "
                       "It is shown only once they say yes.")


def _sentence(label: str, required: str, description: str = "", max_length: int = 2000):
    return TextAreaField(label, description=description, validators=[
        DataRequired(required), Length(10, max_length, f"In 10 to {max_length:,} characters.")])


class NominateForm(FlaskForm):
    reason = _sentence("Why they would make a good advocate", "Say what they did.",
                       "e.g. “Answered my SSO question in an hour, and three others that week.” The community team "
                       "reads it; the member doesn't see who nominated them.")


class ApplyForm(FlaskForm):
    statement = _sentence("Why you'd like to join", "Say why you'd like to join.",
                          "What you enjoy helping with, and what you would like to do as an advocate.")


class AnswerForm(FlaskForm):
    note = TextAreaField("Anything you'd like the team to know (optional)", validators=[Length(max=2000)])


class InviteForm(FlaskForm):
    message = _sentence("Your personal message", "Write the invitation: the member reads it.",
                        "Say what you noticed, in your own words.")


class MentorForm(FlaskForm):
    mentor = StringField("Mentor's username", validators=[DataRequired("Enter the mentor's username."),
                                                          Length(max=30)],
                         description="An advocate or a member of the community team.")


class TaskForm(FlaskForm):
    task = _sentence("The first task", "Describe the task.",
                     "e.g. “Co-host the Lisbon meetup on 12 March with Maria”, “Join the welcome squad for a week”.")


class WhyForm(FlaskForm):
    why = _sentence("Why", "Say why: the log keeps it.")
