"""Source maps: uploads, the lookups ingest makes, and mapping events stored before their map."""
