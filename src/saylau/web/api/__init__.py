"""The JSON API, one router per area of the administration."""
