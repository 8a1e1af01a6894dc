"""Forum forms."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from ..accounts.forms import ChoiceField


class AskForm(FlaskForm):
    category = ChoiceField("Category", refusal="Choose a category from the list.")
    title = StringField("Title", validators=[DataRequired("Give your topic a title."),
                                             Length(max=255, message="A title has 15 to 255 characters.")],
                        description="One sentence that says what you need, e.g. “Webhook retries stop after 3 tries”.")
    body = TextAreaField("Details", validators=[DataRequired("Describe what you are trying to do.")],
                         description="What you tried, what happened, what you expected. Markdown works: "
                                     "`code`, ```blocks```, **bold**, [links](https://example.com).")
    tags = StringField("Tags", description="Up to 5, separated by commas: e.g. webhooks, sso")
    similar = SubmitField("Check for similar questions")  # without JavaScript: look before posting, post nothing
    preview = SubmitField("Preview")
    submit = SubmitField("Post my topic")


class ReplyForm(FlaskForm):
    reply_to = IntegerField(widget=HiddenInput(), validators=[Optional()])
    body = TextAreaField("Your reply", validators=[DataRequired("Write your reply first.")],
                         description="Markdown works: `code`, ```blocks```, **bold**, [links](https://example.com).")
    preview = SubmitField("Preview")
    submit = SubmitField("Post reply")
