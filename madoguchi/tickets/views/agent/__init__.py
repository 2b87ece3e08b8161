"""The plain agent page: the queue of the agent's groups, one ticket, and its actions."""
