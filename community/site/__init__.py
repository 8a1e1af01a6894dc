"""The portal's front door: the home page and the pages that span every area."""
