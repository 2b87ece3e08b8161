"""The customer's side of support on the web: the support form, their requests, signed links.

A channel adapter like mail and chat: what customers send here enters through intake.
"""
