"""What a complete IOS configuration is, and exactly why a text is not one."""

from __future__ import annotations

import pytest
from prakan.parse import ParseError, parse_ios_config

FULL = (
    "!\nversion 17.9\nhostname r1\n!\nline con 0\n transport output none\nline vty 0 4\n transport input ssh\n!\nend\n"
)


def test_a_complete_configuration_is_accepted() -> None:
    tree = parse_ios_config("Building configuration...\n\nCurrent configuration : 120 bytes\n" + FULL, complete=True)
    texts = [n.text for n in tree.roots]
    assert "version 17.9" in texts and "hostname r1" in texts


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            "!\nhostname r1\nlogging host 10.0.0.1\nend\n",
            "a fragment, not a complete running-config: no `version` and no `line vty` sections",
        ),
        ("!\nversion 15.2\nhostname r1\nend\n", "no `line vty` sections"),
        (FULL + "r1#\n", "line 11 is a CLI prompt, not configuration: 'r1#' after the closing `end`"),
        (FULL + "r1#exit\n", "is a CLI prompt"),
        ("r1#show running-config\n" + FULL, "line 1 is a CLI prompt, not configuration: 'r1#show running-config'"),
        ("# Core router backup\n" + FULL, "line 1 is not IOS configuration: '# Core router backup'"),
        ("```\n" + FULL + "```\n", "not IOS configuration: '```'"),
        (FULL.replace("end\n", "end\n!\nhostname x\n"), "follows the closing `end`"),
        (FULL.replace("hostname r1\n", "hostname r1\nenable secret 5 *****\n"), "masked as '*****'"),
        (FULL.replace("hostname r1\n", "hostname r1\nsnmp-server community ******** RO\n"), "masked as '********'"),
        (FULL.replace("end\n", ""), "no closing `end`"),
    ],
)
def test_not_a_complete_configuration_says_exactly_why(text: str, why: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_ios_config(text, complete=True)
    assert why in str(err.value)


def test_evidence_is_always_held_to_completeness() -> None:
    from prakan.sources import load_sources

    src = load_sources()["running_config"]
    with pytest.raises(ParseError, match="a fragment"):
        src.parse("!\nhostname r1\nend\n", "cisco_ios")
    assert src.parse("!\nhostname r1\nend\n", "cisco_ios", fragments=True).roots  # the catalog's samples
