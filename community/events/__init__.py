"""Events and meetups: chapters, RSVPs and the seats ledger, waitlists, check-in, planning, surveys."""
