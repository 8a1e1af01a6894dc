"""How the forum reacts to its own signals and to other areas': notifications, watching, mail. Receivers write in
the sender's transaction and never commit."""
