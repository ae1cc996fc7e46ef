"""Errors raised by the store. Their messages are meant for the user."""


class StoreError(Exception):
    """The database could not be opened, read or written. The message says what to do."""


class DamagedDatabaseError(StoreError):
    """Part of the database file is damaged. Nothing is deleted: the app offers to keep a
    copy and rebuild (chats and settings are copied over, the document index is rebuilt
    from the files)."""

    def __init__(self, message: str, path=None):
        super().__init__(message)
        self.path = path
