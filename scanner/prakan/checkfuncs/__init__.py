"""Built-in rule functions (the escape hatch); importing this package registers them."""

from prakan.checkfuncs import cisco, linux, linux_depth  # noqa: F401
