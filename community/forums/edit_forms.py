"""The form that edits a post (and, for a topic's opening post, its title)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired


class EditForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give your topic a title.")],
                        description="One sentence that says what you need, e.g. “Webhook retries stop after 3 tries”.")
    body = TextAreaField("Text", validators=[DataRequired("Write the text of your post.")],
                         description="Markdown works: `code`, ```blocks```, **bold**, [links](https://example.com).")
    reason = StringField("Why you changed it (optional)",
                         description="Shown in the post's history, e.g. “fixed the link”. Up to 200 characters.")
    revision = HiddenField()  # the revision the editor started from, so nobody's edit is silently replaced
    preview = SubmitField("Preview")
    submit = SubmitField("Save edit")

    def base_revision(self) -> int | None:
        try:
            return int(self.revision.data)
        except (TypeError, ValueError):
            return None
