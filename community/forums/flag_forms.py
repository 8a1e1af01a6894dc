"""The flag form. Which kinds exist and when a note is needed is checked again in flags.py (the service)."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from .models import FLAG_KINDS

# What each kind means, shown under its label.
KIND_HINTS = {
    "off_topic": "It doesn't belong in this topic or this category.",
    "inappropriate": "It is rude, hurtful or not safe for work.",
    "spam": "It advertises something or links to unrelated sites.",
    "other": "Something else a moderator should look at: say what in the note.",
}


class FlagForm(FlaskForm):
    kind = RadioField("What is wrong with this post?", choices=[SelectChoice(k, v) for k, v in FLAG_KINDS.items()],
                      validate_choice=False, validators=[InputRequired("Choose what is wrong with the post.")])
    note = TextAreaField("Note for the moderators", validators=[
        Length(max=1000, message="Keep the note under 1,000 characters.")],
        description="Optional, except for “Something else”. Only moderators read it.")
    submit = SubmitField("Flag this post")
