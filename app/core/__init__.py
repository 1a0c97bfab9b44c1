"""The pure ground of the data path: no Flask, no SQLAlchemy, nothing of app/ outside it."""
