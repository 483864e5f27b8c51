"""Built-in rule functions (the escape hatch), joined into one registry."""

from prakan.checkfuncs import cisco, cisco_defaults, linux
from prakan.rules.functions import Registry

BUILTIN: Registry = linux.FUNCTIONS | cisco.FUNCTIONS | cisco_defaults.FUNCTIONS
