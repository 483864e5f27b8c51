"""Built-in rule functions (the escape hatch); importing this package registers them."""

from prakan.checkfuncs import cisco, cisco_defaults, linux  # noqa: F401
