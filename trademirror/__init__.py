"""Trade Mirror: turn a data package of published trade figures into a mirror-statistics site."""

__version__ = "0.1.0"
