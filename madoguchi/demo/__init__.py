"""The demo of Tsukimi Exchange (`madoguchi load-demo`): content, accounts and tickets of every app.

It composes the other apps and nothing imports it.
"""
