"""Parsers: raw evidence text in, structured and line-addressed data out.

Every parser raises `ParseError` when the text is not what it claims to be, so that the checks that
depend on it become `error`, never `pass`.
"""

from prakan.parse.base import Line, ParseError
from prakan.parse.files import FileSet, parse_files
from prakan.parse.ios import ConfigTree, parse_flat_config, parse_ios_config
from prakan.parse.kv import KeyValues, parse_kv
from prakan.parse.tables import Table, parse_delimited, parse_textfsm

__all__ = [
    "ConfigTree",
    "FileSet",
    "KeyValues",
    "Line",
    "ParseError",
    "Table",
    "parse_delimited",
    "parse_files",
    "parse_flat_config",
    "parse_ios_config",
    "parse_kv",
    "parse_textfsm",
]
