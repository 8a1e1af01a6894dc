"""The shared kernel: text, mail, permissions, errors, database plumbing. Imports nothing from the areas."""
