"""A project's alert rules and channels, their deliveries, and the alerts fired for a group."""
