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
