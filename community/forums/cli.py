"""`flask --app wsgi forums …`: the forum's scheduled jobs (run them from cron or a systemd timer).

Each job is a click command beside the code it serves; this group gathers them.
"""

from flask.cli import AppGroup

from .mailing import digest_command
from .reminders import reminders_command
from .trust import trust_command

forums = AppGroup("forums", help="The forum's scheduled jobs: digests, reminders, trust levels.")
for command in (digest_command, reminders_command, trust_command):
    forums.add_command(command)
