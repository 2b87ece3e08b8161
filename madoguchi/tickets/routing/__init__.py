"""Routing of new tickets: the admin's rules (`rules`) and automatic assignment inside a group
(`assignment`)."""
