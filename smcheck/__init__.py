"""smcheck: a compliance checklist for official University social media channels."""

__version__ = "0.1.0"
