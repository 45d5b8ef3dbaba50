"""Exceptions shared by vaultkit modules. Messages are one line, fit to show the user."""

from __future__ import annotations


class VaultkitError(Exception):
    """Base class of every error vaultkit reports to the user."""


class ReadError(VaultkitError):
    """A note could not be read (OS error, not a regular file, ...)."""


class WriteError(VaultkitError):
    """A note could not be written; the file on disk is unchanged."""


class ConflictError(WriteError):
    """The file changed on disk since it was read, so it was not written."""


class AlreadyExistsError(ConflictError):
    """``create_exclusive`` found the name taken; nothing was overwritten."""


class ConfigError(VaultkitError):
    """A configuration file is unreadable or invalid (used by ``vaultkit.config``)."""


class UnsafePathError(VaultkitError):
    """A path resolves outside the vault (symlink or ``..``)."""
