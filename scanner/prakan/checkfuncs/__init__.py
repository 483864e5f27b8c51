"""Built-in rule functions (the escape hatch), joined into one registry."""

from prakan.checkfuncs import cisco, linux
from prakan.rules.functions import Registry

BUILTIN: Registry = linux.FUNCTIONS | cisco.FUNCTIONS
