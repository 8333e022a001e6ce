"""Unit tests for the rules about references, names, labels and environments (generator/rules/), each with
a passing and a failing case. The rules about a queue and its trigger are in test_rules_triggers.py."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from generator import rules
from generator.problems import Level
from tests.generator.specs import assert_problem, baseline, function, only, queue, spec_with, trigger

HERE = Path(__file__).parent


def test_the_baseline_passes_every_rule() -> None:
    assert rules.check_rules(spec_with()) == []


def test_every_rule_has_unit_tests() -> None:
    """A rule added to generator/rules/ without tests fails here: each must be called by name in a test module."""
    called: set[str] = set()
    for module in sorted(path.name for path in HERE.glob("test_rules*.py")):
        tree = ast.parse((HERE / module).read_text(encoding="utf-8"))
        called |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                   and isinstance(node.value, ast.Name) and node.value.id == "rules"}
    registered = {rule.__name__ for rule in rules.RULES}
    assert registered <= called, f"rules without tests: {sorted(registered - called)}"
    assert all(inspect.getdoc(rule) for rule in rules.RULES), "every rule says why (and cites its source)"


# ── references_resolve ────────────────────────────────────────────────────────────────────────────────────

def test_a_trigger_on_an_undeclared_queue_is_an_error() -> None:
    spec = spec_with(trigger(queue="payments"))
    problem = only(list(rules.references_resolve(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "trigger", "queue"),
                   "no queue with key 'payments'", "queues: orders")


def test_a_sends_to_typo_gets_a_did_you_mean() -> None:
    spec = spec_with(queue("invoices", max_receive_count=5), function(sends_to=["invoces"]))
    problem = only(list(rules.references_resolve(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "sends_to", 0),
                   "no queue with key 'invoces'", "did you mean 'invoices'?")


def test_an_sqs_name_where_a_key_belongs_says_which_key() -> None:
    spec = spec_with(queue("invoices", name="invoice-requests", max_receive_count=5),
                     function(sends_to=["invoice-requests"]))
    problem = only(list(rules.references_resolve(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "sends_to", 0),
                   "SQS name of queues.invoices", "'invoices'")


def test_a_queue_listed_twice_in_sends_to_is_an_error() -> None:
    spec = spec_with(queue("invoices", max_receive_count=5), function(sends_to=["invoices", "invoices"]))
    problem = only(list(rules.references_resolve(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "sends_to", 1), "listed twice")


def test_declared_references_pass() -> None:
    spec = spec_with(queue("invoices", max_receive_count=5), function(sends_to=["invoices", "orders"]))
    assert list(rules.references_resolve(spec)) == []


# ── fifo_names_match_queue_type ───────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("patch", "path", "words"), [
    (queue(fifo_queue=True, name="orders"), ("queues", "orders", "name"),
     ['must end with ".fifo"', '"orders.fifo"']),
    (queue(fifo_queue=True, dlq={"name": "orders-dlq"}), ("queues", "orders", "dlq", "name"),
     ['"orders-dlq" must end with ".fifo"', "dead-letter queue is FIFO too"]),
    (queue(name="orders.fifo"), ("queues", "orders", "name"), ["standard queue", "fifo_queue = true"]),
    (queue(dlq={"name": "orders-dlq.fifo"}), ("queues", "orders", "dlq", "name"), ["standard queue"]),
    (queue(content_based_deduplication=True), ("queues", "orders", "content_based_deduplication"),
     ["only on FIFO queues"]),
])
def test_names_and_features_that_do_not_match_the_queue_type_are_errors(patch, path, words) -> None:
    problem = only(list(rules.fifo_names_match_queue_type(spec_with(patch))))
    assert_problem(problem, Level.ERROR, path, *words)


@pytest.mark.parametrize("patch", [
    queue(fifo_queue=True),  # default names get the suffix
    queue(fifo_queue=True, name="orders.fifo", dlq={"name": "orders-failed.fifo"},
          content_based_deduplication=True),
    queue(name="orders", dlq={"name": "orders-failed"}),
])
def test_names_that_match_the_queue_type_pass(patch) -> None:
    assert list(rules.fifo_names_match_queue_type(spec_with(patch))) == []


# ── labels_are_unique ─────────────────────────────────────────────────────────────────────────────────────

def test_queue_keys_that_differ_only_in_dash_and_underscore_collide_once() -> None:
    spec = spec_with(queue("order-events", max_receive_count=5), queue("order_events", max_receive_count=5))
    # the queue label and the DLQ label both collide; one problem says it
    problem = only(list(rules.labels_are_unique(spec)))
    assert_problem(problem, Level.ERROR, ("queues", "order_events"),
                   "'order_events' is already the label of queues.order-events", "'-' becomes '_'")


def test_a_queue_keyed_like_another_queues_dlq_names_that_dlq() -> None:
    spec = spec_with(queue("orders-dlq", max_receive_count=5))
    problem = only(list(rules.labels_are_unique(spec)))
    assert_problem(problem, Level.ERROR, ("queues", "orders-dlq"),
                   "'orders_dlq' is already the label of the dead-letter queue of queues.orders")


def test_function_keys_that_differ_only_in_dash_and_underscore_collide() -> None:
    spec = spec_with(function("send-mail", timeout=10), function("send_mail", timeout=10))
    problem = only(list(rules.labels_are_unique(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "send_mail"), "'send_mail'", "functions.send-mail")


def test_distinct_labels_pass() -> None:
    spec = spec_with(queue("order-events", max_receive_count=5), function("order-events", timeout=10))
    assert list(rules.labels_are_unique(spec)) == []


# ── aws_names_are_unique ──────────────────────────────────────────────────────────────────────────────────

def test_two_queues_with_one_name_are_an_error() -> None:
    spec = spec_with(queue(name="orders"), queue("refunds", name="orders", max_receive_count=5))
    problem = only(list(rules.aws_names_are_unique(spec)))
    assert_problem(problem, Level.ERROR, ("queues", "refunds", "name"),
                   'queue name "orders" is already used by queues.orders')


def test_a_queue_named_like_a_default_dlq_names_its_owner() -> None:
    spec = spec_with(queue("failed-orders", name="orders-dlq", max_receive_count=5))
    problem = only(list(rules.aws_names_are_unique(spec)))
    assert_problem(problem, Level.ERROR, ("queues", "failed-orders", "name"),
                   "the dead-letter queue of queues.orders (its default name)")


def test_queue_names_that_differ_only_by_fifo_would_share_alarm_names() -> None:
    spec = spec_with(queue(fifo_queue=True, name="shop-orders.fifo", dlq={"name": "shop-orders-failed.fifo"}),
                     queue("legacy", name="shop-orders", max_receive_count=5))
    problem = only(list(rules.aws_names_are_unique(spec)))
    assert_problem(problem, Level.ERROR, ("queues", "legacy", "name"),
                   '"shop-orders" differs from "shop-orders.fifo" (queues.orders) only by ".fifo"',
                   "CloudWatch alarms")


def test_two_functions_with_one_name_are_an_error() -> None:
    spec = spec_with(function("mailer", name="worker", timeout=10))
    problem = only(list(rules.aws_names_are_unique(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "mailer", "name"), 'function name "worker"')


def test_distinct_aws_names_pass() -> None:
    spec = spec_with(queue("refunds", name="orders-refunds", max_receive_count=5,
                           dlq={"name": "refunds-failed"}))
    assert list(rules.aws_names_are_unique(spec)) == []


# ── environment_variables_are_valid ───────────────────────────────────────────────────────────────────────

def test_a_reserved_name_in_environment_is_an_error() -> None:
    spec = spec_with(function(environment={"AWS_REGION": "eu-west-1", "LOG_LEVEL": "info"}))
    problem = only(list(rules.environment_variables_are_valid(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "environment", "AWS_REGION"),
                   "reserved by Lambda", "remove it")


def test_a_reserved_url_env_var_is_an_error_with_the_default_suggested() -> None:
    problem = only(list(rules.environment_variables_are_valid(spec_with(queue(url_env_var="AWS_REGION")))))
    assert_problem(problem, Level.ERROR, ("queues", "orders", "url_env_var"), "AWS_REGION is reserved",
                   "ORDERS_QUEUE_URL")


def test_environment_may_not_set_a_sends_to_queues_url_variable() -> None:
    spec = spec_with(queue("invoices", max_receive_count=5),
                     function(sends_to=["invoices"], environment={"INVOICES_QUEUE_URL": "x"}))
    problem = only(list(rules.environment_variables_are_valid(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "environment", "INVOICES_QUEUE_URL"),
                   "already set to the URL of queue 'invoices'")


def test_two_sends_to_queues_may_not_share_a_url_variable() -> None:
    spec = spec_with(queue("invoices", max_receive_count=5, url_env_var="OUT_URL"),
                     queue("receipts", max_receive_count=5, url_env_var="OUT_URL"),
                     function(sends_to=["invoices", "receipts"]))
    problem = only(list(rules.environment_variables_are_valid(spec)))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "sends_to", 1),
                   "'invoices' and 'receipts' would both set the variable OUT_URL", "queues.receipts")


def test_shared_url_variables_are_fine_when_no_function_sends_to_both() -> None:
    spec = spec_with(queue("invoices", max_receive_count=5, url_env_var="OUT_URL"),
                     queue("receipts", max_receive_count=5, url_env_var="OUT_URL"),
                     function(sends_to=["invoices"], environment={"LOG_LEVEL": "info"}),
                     function("archiver", timeout=10, sends_to=["receipts"]))
    assert list(rules.environment_variables_are_valid(spec)) == []


# ── subscribers_are_unique ────────────────────────────────────────────────────────────────────────────────

def test_an_address_listed_twice_in_another_case_is_an_error() -> None:
    addresses = ["ops@example.com", "dev@example.com", "OPS@example.com"]
    spec = spec_with({"alarms": {"email_subscribers": addresses}})
    problem = only(list(rules.subscribers_are_unique(spec)))
    assert_problem(problem, Level.ERROR, ("alarms", "email_subscribers", 2),
                   '"OPS@example.com" is listed twice')


def test_distinct_addresses_pass() -> None:
    spec = spec_with({"alarms": {"email_subscribers": ["ops@example.com", "dev@example.com"]}})
    assert list(rules.subscribers_are_unique(spec)) == []


# ── function_keys_are_not_reserved ────────────────────────────────────────────────────────────────────────

def test_a_function_keyed_common_is_an_error() -> None:
    problem = only(list(rules.function_keys_are_not_reserved(spec_with(function("common", timeout=10)))))
    assert_problem(problem, Level.ERROR, ("functions", "common"), "'common' is the folder of the code shared")


def test_a_function_whose_source_is_common_is_an_error_at_source() -> None:
    problem = only(list(rules.function_keys_are_not_reserved(spec_with(function(source="common")))))
    assert_problem(problem, Level.ERROR, ("functions", "worker", "source"), "'common'")


@pytest.mark.parametrize(("length", "fails"), [(59, False), (60, True)])
def test_the_role_name_must_fit_64_characters(length: int, fails: bool) -> None:
    spec = spec_with(function(name="f" * length))
    problems = list(rules.function_keys_are_not_reserved(spec))
    if fails:
        assert_problem(only(problems), Level.ERROR, ("functions", "worker", "name"), "longer than 64", "59")
    else:
        assert problems == []


def test_check_rules_runs_every_rule_and_collects_all_problems() -> None:
    data = baseline()
    data["queues"]["orders"]["visibility_timeout_seconds"] = 10  # error: below the 30 s timeout
    data["alarms"]["email_subscribers"] = ["ops@example.com", "ops@example.com"]  # error: listed twice
    data["functions"]["common"] = {"timeout": 5}  # error: reserved key
    from generator.spec.model import Spec
    problems = rules.check_rules(Spec.model_validate(data))
    assert {p.path for p in problems} == {
        ("queues", "orders", "visibility_timeout_seconds"),
        ("alarms", "email_subscribers", 1),
        ("functions", "common"),
    }
