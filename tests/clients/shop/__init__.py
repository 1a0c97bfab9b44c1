"""A small shop whose modules hold the bugs the Python scenarios report to Faultline."""
