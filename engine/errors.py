"""Domain errors. Each message is written for the user: what happened and what to do.

The CLI and the GUI turn these into one line / one dialog in exactly one place;
anything else reaching them is a bug.
"""

from store.errors import StoreError


class SastreError(Exception):
    """Base class for errors whose message is meant for the user."""


class ModelNotFoundError(SastreError):
    pass


class ModelLoadError(SastreError):
    """A model folder or file exists but cannot be used (missing files, bad config)."""


class UnsupportedModelError(SastreError):
    """The model's architecture or format is not one Sastre can run."""


class OfflineError(SastreError):
    """The Hugging Face hub cannot be reached."""


class DiskFullError(SastreError):
    pass


class ChatNotFoundError(SastreError):
    pass


USER_ERRORS = (SastreError, StoreError)


def not_found(kind: str, name: str, known: list[str], then: str, cls=SastreError) -> SastreError:
    """The one shape of "no such thing" errors: what was asked, what exists, what to do."""
    listed = ", ".join(known) if known else "none yet"
    return cls(f"No {kind} named '{name}' (known: {listed}). {then}")
