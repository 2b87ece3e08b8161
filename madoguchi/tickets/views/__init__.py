"""Pages behind the counter: the plain agent page (the full console comes later)."""
