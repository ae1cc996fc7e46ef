"""Errors raised by the store. Their messages are meant for the user."""


class StoreError(Exception):
    """The database could not be opened, read or written. The message says what to do."""
