"""Reports for admins and team leads: volume, response and resolution times, SLA compliance,
satisfaction and deflection, per group, agent, channel and problem type."""
