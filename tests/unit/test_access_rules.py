"""Access rules in CEL: the issue's examples, missing claims, and compile errors that say
where they are."""

import pytest

from app.core.access_rules import RuleError, compile_rule, passes, role_for

GROUP_RULE = '"faultline-admins" in claims.groups'
DOMAIN_RULE = 'claims.email.endsWith("@example.org") && claims.email_verified'


@pytest.mark.parametrize(
    ("rule", "claims", "admitted"),
    [
        (GROUP_RULE, {"groups": ["staff", "faultline-admins"]}, True),
        (GROUP_RULE, {"groups": ["staff"]}, False),
        (GROUP_RULE, {}, False),  # no groups claim at all
        (GROUP_RULE, {"groups": "faultline-admins"}, False),  # a string, not a list
        (DOMAIN_RULE, {"email": "ada@example.org", "email_verified": True}, True),
        (DOMAIN_RULE, {"email": "ada@example.org", "email_verified": False}, False),
        (DOMAIN_RULE, {"email": "ada@example.org"}, False),
        (DOMAIN_RULE, {"email": "ada@example.org.evil", "email_verified": True}, False),
        (DOMAIN_RULE, {"email": 7, "email_verified": True}, False),
        ("claims.email", {"email": "ada@example.org"}, False),  # not a boolean
        ("", {"anything": True}, False),  # an empty rule admits nobody
        ("true", {}, True),
    ],
)
def test_rules_over_claims(rule, claims, admitted):
    assert passes(rule, claims) is admitted


@pytest.mark.parametrize(
    ("claims", "role"),
    [
        (
            {"groups": ["faultline-admins"], "email": "a@example.org", "email_verified": True},
            "admin",
        ),
        ({"groups": [], "email": "a@example.org", "email_verified": True}, "member"),
        ({"email": "a@elsewhere.org", "email_verified": True}, "viewer"),
        ({}, None),
    ],
)
def test_the_first_passing_rule_gives_the_role(claims, role):
    rules = {"admin": GROUP_RULE, "member": DOMAIN_RULE, "viewer": "has(claims.email)"}
    assert role_for(rules, claims) == role


def test_no_rules_admit_nobody():
    assert role_for({"admin": "", "member": ""}, {"groups": ["faultline-admins"]}) is None


@pytest.mark.parametrize(
    ("rule", "position"),
    [
        ('claims.email.endsWith("@example.org") &&', "line 1, column 41"),
        ("claims.groups +", "line 1, column 16"),
        ('"a" in claims.groups ||\n  ', "line 2, column 3"),
        ("claims..x", "line 1, column 8"),
    ],
)
def test_compile_errors_name_the_position(rule, position):
    with pytest.raises(RuleError, match=position):
        compile_rule(rule)
