"""Event forms. What the person can fix in a field is checked here; rules that need the database (and times that
don't exist in the event's zone) in services.py, which names the field."""

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..accounts.forms import ChoiceField, _zone_choices
from .planning import TEMPLATES
from .series import MAX_OCCURRENCES, REPEATS
from .services import Details

KIND_CHOICES = [SelectChoice("in_person", "In person"), SelectChoice("online", "Online"),
                SelectChoice("hybrid", "Hybrid: in person and online")]
VISIBILITY_CHOICES = [SelectChoice("public", "Everyone, signed in or not"),
                      SelectChoice("members", "Signed-in members only")]
POLICY_CHOICES = [SelectChoice("open", "Open: anyone may RSVP"),
                  SelectChoice("approval", "Approval: organisers approve each RSVP"),
                  SelectChoice("invite", "Invite only: personal invite links")]
MODE_CHOICES = [SelectChoice("auto", "Confirm the next person at once (offers close to the start)"),
                SelectChoice("offer", "Hold the seat and let them claim it within the claim window")]
WHEN = "%Y-%m-%dT%H:%M"


class WallTimeField(DateTimeLocalField):
    """A local date and time. What a browser's date picker can't hold (only a hand-made request sends it) is not
    echoed back into the field, where it would make the page invalid; the field's error says what to enter."""

    def _value(self):
        if self.raw_data and self.data is None:
            try:
                datetime.strptime(self.raw_data[0], WHEN)
            except ValueError:
                return ""
        return super()._value()


class EventForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the event a title."), Length(5, 200)])
    description = TextAreaField("Description", description="Markdown. What happens, who it's for, the agenda.")
    chapter = ChoiceField("Chapter", coerce=str, refusal="Choose a chapter from the list.")
    kind = ChoiceField("Kind", choices=KIND_CHOICES, default="in_person", refusal="Pick in person, online or "
                       "hybrid.")
    time_zone = ChoiceField("Time zone", choices=_zone_choices, default="Europe/Berlin",
                            description="Start and end are entered in this zone; everyone sees them in their own.",
                            refusal="Choose a time zone from the list.")
    local_start = WallTimeField("Starts", format=WHEN,
                                     validators=[DataRequired("Enter the date and time the event starts.")])
    local_end = WallTimeField("Ends", format=WHEN,
                                   validators=[DataRequired("Enter the date and time the event ends.")])
    venue = StringField("Venue", validators=[Length(max=200)], description="Shown to everyone, e.g. the venue's "
                        "name and city.")
    address = TextAreaField("Exact address", description="Shown only to people who are going.")
    online_url = StringField("Online link", validators=[Length(max=500)],
                             description="Shown only to people who are going. Starts with https://.")
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(1, 100_000, "From 1 seat.")],
                            description="Seats in all, guests included. Empty: no limit.")
    max_guests = IntegerField("Guests per RSVP", default=0,
                              validators=[NumberRange(0, 20, "From 0 to 20 guests.")])
    rsvp_opens_local = WallTimeField("RSVPs open", format=WHEN, validators=[Optional()],
                                          description="Empty: at once.")
    rsvp_closes_local = WallTimeField("RSVPs close", format=WHEN, validators=[Optional()],
                                           description="Empty: when the event ends.")
    visibility = ChoiceField("Who sees it", choices=VISIBILITY_CHOICES, default="public",
                             refusal="Pick who may see the event.")
    join_policy = ChoiceField("Who may join", choices=POLICY_CHOICES, default="open",
                              refusal="Pick how people join.")
    waitlist_mode = ChoiceField("When a seat frees up", choices=MODE_CHOICES, default="auto",
                                refusal="Pick how the waitlist moves up.")
    claim_hours = IntegerField("Claim window (hours)", default=12,
                               validators=[NumberRange(1, 168, "From 1 to 168 hours.")])
    offer_cutoff_hours = IntegerField("Offers instead of confirming, this many hours before the start", default=48,
                                      validators=[Optional(), NumberRange(0, 720, "From 0 to 720 hours.")])
    final_cutoff_hours = IntegerField("No one moves up in the last hours before the start", default=2,
                                      validators=[NumberRange(0, 168, "From 0 to 168 hours.")])
    cohosts = StringField("Co-hosts", description="Usernames, separated by commas: they lead the event with you.")
    helpers = StringField("Check-in helpers", description="Usernames, separated by commas: they check people in.")
    publish = BooleanField("Publish now (chapter members are told by mail)")
    repeat = ChoiceField("Repeats", choices=[SelectChoice("never", "Once: no repeats"),
                                             *(SelectChoice(k, v) for k, v in REPEATS.items())],
                         default="never", refusal="Pick how the event repeats.",
                         description="Each occurrence is its own event, with its own RSVPs.")
    occurrences = IntegerField("Occurrences", default=6, validators=[Optional(), NumberRange(
        2, MAX_OCCURRENCES, f"From 2 to {MAX_OCCURRENCES}.")])
    checklist = ChoiceField("Planning checklist", choices=[SelectChoice("", "None"), *(
        SelectChoice(key, template.name) for key, template in TEMPLATES.items())], default="",
        refusal="Pick a checklist from the list.",
        description="Tasks due before and after the event (book the venue, order food…), moving with it.")
    scope = ChoiceField("Apply the changes to", choices=[
        SelectChoice("this", "This event only"), SelectChoice("following", "This and the following events"),
        SelectChoice("all", "Every event of the series that hasn't started")], default="this",
        refusal="Pick which events the change applies to.")

    def details(self, chapter) -> Details:
        return Details(
            title=self.title.data or "", local_start=self.local_start.data, local_end=self.local_end.data,
            time_zone=self.time_zone.data, description=self.description.data or "", kind=self.kind.data,
            venue=self.venue.data or "", address=self.address.data or "", online_url=self.online_url.data or "",
            chapter=chapter, capacity=self.capacity.data, max_guests=self.max_guests.data or 0,
            rsvp_opens_local=self.rsvp_opens_local.data, rsvp_closes_local=self.rsvp_closes_local.data,
            visibility=self.visibility.data, join_policy=self.join_policy.data,
            waitlist_mode=self.waitlist_mode.data, claim_hours=self.claim_hours.data,
            offer_cutoff_hours=self.offer_cutoff_hours.data, final_cutoff_hours=self.final_cutoff_hours.data)


class RSVPForm(FlaskForm):
    guests = IntegerField("Guests you bring", default=0, validators=[Optional(), NumberRange(0, 20, "From 0 to 20.")])
    show_in_list = BooleanField("Show my name to other attendees")
    invitation = HiddenField()


class ReasonForm(FlaskForm):
    reason = TextAreaField("Message to the member", validators=[Length(max=1000)])


class OverrideForm(FlaskForm):
    reason = StringField("Why (for the log)", validators=[Length(max=500)])
    over_capacity = BooleanField("Yes, add them over capacity (the capacity rises by their party)")
    priority = IntegerField("Priority", validators=[Optional(), NumberRange(-100, 100, "From -100 to 100.")])


class CancelEventForm(FlaskForm):
    reason = TextAreaField("Message to everyone with a place", validators=[
        DataRequired("Say in a sentence why: everyone with a place reads it."), Length(5, 1000)])


class InviteForm(FlaskForm):
    email = StringField("Email address", validators=[DataRequired("Enter the address to invite."),
                                                     Length(max=320)])


class WalkInForm(FlaskForm):
    username = StringField("Member's username", validators=[DataRequired("Enter the member's username."),
                                                            Length(max=30)])
    over_capacity = BooleanField("Yes, add them over capacity if the event is full")


class SurveyForm(FlaskForm):
    score = RadioField("How likely are you to recommend events like this one to a colleague?",
                       choices=[SelectChoice(str(n), str(n)) for n in range(11)],
                       validators=[DataRequired("Pick a number from 0 to 10.")])
    comment = TextAreaField("Anything the hosts should know? (optional)", validators=[Length(max=2000)])


class TaskForm(FlaskForm):
    status = ChoiceField("Status", choices=[SelectChoice("todo", "To do"), SelectChoice("doing", "Doing"),
                                            SelectChoice("done", "Done")], refusal="Pick to do, doing or done.")
    assignee = ChoiceField("Who", coerce=str, refusal="Pick one of the event's hosts.")
    notes = StringField("Notes", validators=[Length(max=2000)])
    cost = DecimalField("Cost", places=2, validators=[Optional(), NumberRange(0, 1_000_000, "From 0 to 1,000,000.")])
    offset_days = IntegerField("Days from the start", validators=[Optional(), NumberRange(-365, 365,
                                                                                           "From -365 to 365.")])


class NewTaskForm(FlaskForm):
    title = StringField("Task", validators=[DataRequired("Name the task."), Length(3, 200)])
    offset_days = IntegerField("Due, in days from the start (−7: a week before)", default=-7,
                               validators=[NumberRange(-365, 365, "From -365 to 365.")])


class ChapterForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Name the chapter."), Length(2, 80)],
                       description="A city (“Berlin”) or a topic (“Online: dashboards and reporting”).")
    city = StringField("City", validators=[Length(max=80)], description="Empty for an online chapter.")
    topic = StringField("Topic", validators=[Length(max=80)])
    time_zone = ChoiceField("Time zone", choices=_zone_choices, default="Europe/Berlin",
                            refusal="Choose a time zone from the list.")
    description = TextAreaField("Description", description="Markdown. Who it's for, how often it meets.")
    organisers = StringField("Organisers", description="Usernames, separated by commas: managers or advocates "
                             "who plan this chapter's events.")
