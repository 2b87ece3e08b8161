"""Intake: the one way into tickets for every channel (`intake.receive(InboundMessage)`)."""

from typing import Any


def __getattr__(name: str) -> Any:
    # Imported on use: the pipeline needs the app registry, this package is loaded before it.
    if name in ("receive", "STEPS", "Outcome"):
        from madoguchi.intake import pipeline

        return getattr(pipeline, name)
    if name == "InboundMessage":
        from madoguchi.intake.inbound import InboundMessage

        return InboundMessage
    raise AttributeError(name)
