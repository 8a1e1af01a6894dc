"""The advocate programme: the points ledger, ranks, levels, badges, leaderboards, rising stars, celebration."""
