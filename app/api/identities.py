"""A user's identity-provider identities: listed, linked and unlinked by administrators."""
