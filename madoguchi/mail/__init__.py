"""The email channel: turns mail into intake's InboundMessage (parse, receive, send)."""
