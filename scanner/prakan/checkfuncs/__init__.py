"""Built-in rule functions (the escape hatch), joined into one registry."""

from prakan.checkfuncs import cisco, cisco_defaults, linux, linux_depth
from prakan.rules.functions import Registry

BUILTIN: Registry = linux.FUNCTIONS | linux_depth.FUNCTIONS | cisco.FUNCTIONS | cisco_defaults.FUNCTIONS
