"""Errors the core raises. Driver errors are translated into these at the edge."""


class FaceGateError(Exception):
    """Base class: the message is one line meant for the person at the keyboard."""


class BadInput(FaceGateError):
    """The caller gave something unusable (image, id, option); nothing was written."""


class NotFound(FaceGateError):
    """A person, sample or alert that does not exist."""


class AlreadyEnrolled(BadInput):
    """The face already belongs to another enrolled person."""

    def __init__(self, message: str, person_id: str, distance: float) -> None:
        super().__init__(message)
        self.person_id = person_id
        self.distance = distance


class DatabaseError(FaceGateError):
    """The database file is unusable: not SQLite, corrupt, or from a newer schema."""


class IntegrityError(FaceGateError):
    """The event log failed verification (broken hash chain, projection drift)."""
