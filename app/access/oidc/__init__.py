"""Sign-in through the team's OpenID Connect providers (authorization code flow with PKCE)."""
