"""Accounts: members, roles, sign-in, confirmation and reset links, profiles."""
