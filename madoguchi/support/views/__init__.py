"""Customer pages: the form, their requests, and the links mailed to visitors."""
