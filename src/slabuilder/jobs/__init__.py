"""One module per command: the workflow of each, as a typed library call.

The command line (``slabuilder.cli``) only parses options, calls one of these and prints what
it returns; the browser workspace and scripts call the same functions.  A job reads its
inputs, checks every target before anything is written, writes, and returns what it did as a
frozen dataclass.  It never prints: where the user must see something while it works (the
observed rates before the renegotiation interview), the caller passes a callback.
"""
