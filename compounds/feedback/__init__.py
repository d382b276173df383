"""Readers' reports of a problem with a public page: received, acknowledged, answered and
closed in the admin, and forgotten when their time is up."""
