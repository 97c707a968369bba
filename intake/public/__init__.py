"""Public pages: the confidential inquiry, privacy notice and crisis help, with no login."""
