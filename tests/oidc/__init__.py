"""OpenID Connect sign-in against real providers: oidc-provider-mock and a rogue one."""
