"""Web analytics reads: summary, time series, breakdowns and errors per 1,000 page views."""

from app.stats.breakdowns import breakdowns
from app.stats.error_rates import errors_per_pageview
from app.stats.summary import summary, timeseries

__all__ = ["breakdowns", "errors_per_pageview", "summary", "timeseries"]
