"""PostgreSQL triggers keeping oversight.ClueCount current (migration 0003). One hook at the
lowest level: every insert, update and delete of a clue or a referral, whichever code path runs
it (the transitions through workflow.transitions.perform, edits, the batched import of
screening.services.register_clues, a queryset update), moves the counts in the same
transaction. Statement-level triggers with transition tables, so a bulk insert adds its counts
in one GROUP BY rather than row by row.

The outcome is screening.reports.outcome_expression written in SQL; the nightly rebuild
(oversight/summary.py) recounts with the Django expression itself and reports any difference,
so the two cannot drift apart unnoticed.

Migrations 0003 and 0004 install what this module says when they run; a change to the SQL here
needs a new migration that runs INSTALL / CASE_INSTALL again (CREATE OR REPLACE)."""

OUTCOME_FUNCTION = """
CREATE OR REPLACE FUNCTION oversight_clue_outcome(state text, decision text, referred boolean)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN state IN ('registered', 'verifying', 'awaiting_approval') THEN 'open'
    WHEN state = 'case_opened' THEN 'case_opened'
    WHEN state = 'not_started' OR (state = 'closed' AND decision = 'not_start')
      THEN 'not_started'
    WHEN state = 'referred' OR (state = 'closed' AND referred) THEN 'referred'
    ELSE 'excluded' END
$$;
"""

_UPSERT = """
    INSERT INTO oversight_cluecount
      (month, department_id, jurisdiction_id, channel_id, damage_type, outcome, n)
    SELECT month, department_id, jurisdiction_id, channel_id, damage_type, outcome, sum(d)
    FROM ({rows}) AS delta
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(d) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (month, department_id, jurisdiction_id, channel_id, damage_type, outcome)
    DO UPDATE SET n = oversight_cluecount.n + EXCLUDED.n;
"""


def _clue_rows(table: str, sign: int, referred: str) -> str:
    return f"""
      SELECT date_trunc('month', c.registered_on)::date AS month, c.department_id,
             c.jurisdiction_id, c.channel_id, c.damage_type,
             oversight_clue_outcome(c.state, c.decision, {referred}) AS outcome, {sign} AS d
      FROM {table} c"""


_REFERRED_NOW = "EXISTS (SELECT 1 FROM screening_referral r WHERE r.clue_id = c.id)"

CLUE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION oversight_clue_count_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_UPSERT.format(rows=_clue_rows("new_rows", 1, _REFERRED_NOW))}
  ELSIF TG_OP = 'DELETE' THEN
    {_UPSERT.format(rows=_clue_rows("old_rows", -1, _REFERRED_NOW))}
  ELSE
    {_UPSERT.format(rows=_clue_rows("old_rows", -1, _REFERRED_NOW) + " UNION ALL "
                    + _clue_rows("new_rows", 1, _REFERRED_NOW))}
  END IF;
  RETURN NULL;
END $$;
"""

# A referral moves a closed clue between 移送 and 不纳入筛查: the clues it touches, counted as
# they were before the statement (without its new rows, with its old ones) and after it.
_BEFORE = {
    "INSERT": "EXISTS (SELECT 1 FROM screening_referral r WHERE r.clue_id = c.id "
              "AND r.id NOT IN (SELECT id FROM new_rows))",
    "DELETE": "TRUE",
    "UPDATE": "(EXISTS (SELECT 1 FROM screening_referral r WHERE r.clue_id = c.id "
              "AND r.id NOT IN (SELECT id FROM new_rows)) "
              "OR EXISTS (SELECT 1 FROM old_rows o WHERE o.clue_id = c.id))",
}
_TOUCHED = {
    "INSERT": "SELECT clue_id FROM new_rows",
    "DELETE": "SELECT clue_id FROM old_rows",
    "UPDATE": "SELECT clue_id FROM new_rows UNION SELECT clue_id FROM old_rows",
}


def _referral_rows(op: str) -> str:
    touched = f"(SELECT * FROM screening_clue WHERE id IN ({_TOUCHED[op]}))"
    return (_clue_rows(touched, -1, _BEFORE[op]) + " UNION ALL "
            + _clue_rows(touched, 1, _REFERRED_NOW))


REFERRAL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION oversight_referral_count_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_UPSERT.format(rows=_referral_rows("INSERT"))}
  ELSIF TG_OP = 'DELETE' THEN
    {_UPSERT.format(rows=_referral_rows("DELETE"))}
  ELSE
    {_UPSERT.format(rows=_referral_rows("UPDATE"))}
  END IF;
  RETURN NULL;
END $$;
"""


def _triggers(table: str, function: str) -> list[str]:
    out = []
    for op, refs in [("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"),
                     ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows")]:
        name = f"{table}_count_{op.lower()}"
        out.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
        out.append(f"CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {refs} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();")
    return out


INSTALL = [OUTCOME_FUNCTION, CLUE_FUNCTION, REFERRAL_FUNCTION,
           *_triggers("screening_clue", "oversight_clue_count_apply"),
           *_triggers("screening_referral", "oversight_referral_count_apply")]

UNINSTALL = [
    *(f"DROP TRIGGER IF EXISTS {t}_count_{op} ON {t};"
      for t in ("screening_clue", "screening_referral") for op in ("insert", "delete", "update")),
    "DROP FUNCTION IF EXISTS oversight_referral_count_apply();",
    "DROP FUNCTION IF EXISTS oversight_clue_count_apply();",
    "DROP FUNCTION IF EXISTS oversight_clue_outcome(text, text, boolean);",
]

# The first count, when the triggers are installed (migration 0003).
FILL = _UPSERT.format(rows=_clue_rows("screening_clue", 1, _REFERRED_NOW))

# --- cases (oversight.CaseCount, migration 0004) ----------------------------------------------

_CASE_UPSERT = """
    INSERT INTO oversight_casecount
      (month, department_id, jurisdiction_id, damage_type, stage, classification, n, claimed)
    SELECT month, department_id, jurisdiction_id, damage_type, stage, classification, sum(d),
           sum(a)
    FROM ({rows}) AS delta
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(d) <> 0 OR sum(a) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (month, department_id, jurisdiction_id, damage_type, stage, classification)
    DO UPDATE SET n = oversight_casecount.n + EXCLUDED.n,
                  claimed = oversight_casecount.claimed + EXCLUDED.claimed;
"""


def _case_rows(table: str, sign: int) -> str:
    return f"""
      SELECT date_trunc('month', c.opened_on)::date AS month, c.department_id,
             c.jurisdiction_id, c.damage_type, c.stage, c.classification, {sign} AS d,
             {sign} * coalesce(c.appraised_amount, 0) AS a
      FROM {table} c"""


CASE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION oversight_case_count_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_CASE_UPSERT.format(rows=_case_rows("new_rows", 1))}
  ELSIF TG_OP = 'DELETE' THEN
    {_CASE_UPSERT.format(rows=_case_rows("old_rows", -1))}
  ELSE
    {_CASE_UPSERT.format(rows=_case_rows("old_rows", -1) + " UNION ALL "
                         + _case_rows("new_rows", 1))}
  END IF;
  RETURN NULL;
END $$;
"""

CASE_INSTALL = [CASE_FUNCTION, *_triggers("cases_case", "oversight_case_count_apply")]
CASE_UNINSTALL = [
    *(f"DROP TRIGGER IF EXISTS cases_case_count_{op} ON cases_case;"
      for op in ("insert", "delete", "update")),
    "DROP FUNCTION IF EXISTS oversight_case_count_apply();",
]
CASE_FILL = _CASE_UPSERT.format(rows=_case_rows("cases_case", 1))

# --- money (oversight.MoneyCount, migration 0005) ---------------------------------------------
# The money of the cases per (department, jurisdiction, damage type) of the case: obligations
# (not cancelled) by source, paid and outstanding; deposits held and applied; paid spending for
# restoration purposes (oversight/figures.py MONEY_FIELDS). A write to any of the three tables
# moves its rows' amounts; a case moved to another department, jurisdiction or damage type
# takes its money along (the case trigger below).

_MONEY_COLUMNS = "agreed, judged, paid, outstanding, held, spent"

_MONEY_UPSERT = f"""
    INSERT INTO oversight_moneycount
      (department_id, jurisdiction_id, damage_type, {_MONEY_COLUMNS})
    SELECT department_id, jurisdiction_id, damage_type, sum(agreed), sum(judged), sum(paid),
           sum(outstanding), sum(held), sum(spent)
    FROM ({{rows}}) AS delta
    GROUP BY 1, 2, 3
    HAVING sum(agreed) <> 0 OR sum(judged) <> 0 OR sum(paid) <> 0 OR sum(outstanding) <> 0
        OR sum(held) <> 0 OR sum(spent) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (department_id, jurisdiction_id, damage_type)
    DO UPDATE SET agreed = oversight_moneycount.agreed + EXCLUDED.agreed,
                  judged = oversight_moneycount.judged + EXCLUDED.judged,
                  paid = oversight_moneycount.paid + EXCLUDED.paid,
                  outstanding = oversight_moneycount.outstanding + EXCLUDED.outstanding,
                  held = oversight_moneycount.held + EXCLUDED.held,
                  spent = oversight_moneycount.spent + EXCLUDED.spent;
"""

_JOIN_CASE = "JOIN cases_case c ON c.id = o.case_id"
RESTORATION_PURPOSES_SQL = "('restoration', 'alternative', 'other')"


def _obligation_rows(table: str, sign: int) -> str:
    live = "o.status <> 'cancelled'"
    return f"""
      SELECT c.department_id, c.jurisdiction_id, c.damage_type,
             {sign} * CASE WHEN {live} AND o.source = 'agreement' THEN o.amount ELSE 0 END
               AS agreed,
             {sign} * CASE WHEN {live} AND o.source = 'judgment' THEN o.amount ELSE 0 END
               AS judged,
             {sign} * CASE WHEN {live} THEN o.paid ELSE 0 END AS paid,
             {sign} * CASE WHEN {live} THEN o.outstanding ELSE 0 END AS outstanding,
             0 AS held, 0 AS spent
      FROM {table} o {_JOIN_CASE}"""


def _deposit_rows(table: str, sign: int) -> str:
    return f"""
      SELECT c.department_id, c.jurisdiction_id, c.damage_type, 0 AS agreed, 0 AS judged,
             0 AS paid, 0 AS outstanding, {sign} * o.held AS held, {sign} * o.applied AS spent
      FROM {table} o {_JOIN_CASE}"""


def _spending_rows(table: str, sign: int) -> str:
    return f"""
      SELECT c.department_id, c.jurisdiction_id, c.damage_type, 0 AS agreed, 0 AS judged,
             0 AS paid, 0 AS outstanding, 0 AS held, {sign} * coalesce(o.approved_amount, 0) AS spent
      FROM {table} o {_JOIN_CASE}
      WHERE o.state = 'paid' AND o.purpose_kind IN {RESTORATION_PURPOSES_SQL}"""


def _money_function(name: str, rows) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_MONEY_UPSERT.format(rows=rows("new_rows", 1))}
  ELSIF TG_OP = 'DELETE' THEN
    {_MONEY_UPSERT.format(rows=rows("old_rows", -1))}
  ELSE
    {_MONEY_UPSERT.format(rows=rows("old_rows", -1) + " UNION ALL " + rows("new_rows", 1))}
  END IF;
  RETURN NULL;
END $$;
"""


_MONEY_TABLES = [
    ("restoration_fundobligation", "oversight_obligation_money_apply", _obligation_rows),
    ("restoration_deposit", "oversight_deposit_money_apply", _deposit_rows),
    ("restoration_spendingrequest", "oversight_spending_money_apply", _spending_rows),
]


def _case_money(keys: str, sign: int) -> str:
    """The whole money of the cases in `keys` (id, department_id, jurisdiction_id,
    damage_type), counted at those keys."""
    join = f"JOIN ({keys}) c ON c.id = o.case_id"
    return " UNION ALL ".join(rows(table, sign).replace(_JOIN_CASE, join)
                              for table, _, rows in _MONEY_TABLES)


_MOVED = ("SELECT {side}.id, {side}.department_id, {side}.jurisdiction_id, {side}.damage_type "
          "FROM old_rows o2 JOIN new_rows n2 ON n2.id = o2.id "
          "WHERE (o2.department_id, o2.jurisdiction_id, o2.damage_type) IS DISTINCT FROM "
          "(n2.department_id, n2.jurisdiction_id, n2.damage_type)")

CASE_MONEY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION oversight_case_money_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS ({_MOVED.format(side="n2")}) THEN
    {_MONEY_UPSERT.format(rows=_case_money(_MOVED.format(side="o2"), -1) + " UNION ALL "
                          + _case_money(_MOVED.format(side="n2"), 1))}
  END IF;
  RETURN NULL;
END $$;
"""


def _money_triggers(table: str, function: str) -> list[str]:
    return [s.replace("_count_", "_money_") for s in _triggers(table, function)]


MONEY_INSTALL = [
    *(_money_function(function, rows) for _, function, rows in _MONEY_TABLES),
    *(sql for table, function, _ in _MONEY_TABLES for sql in _money_triggers(table, function)),
    CASE_MONEY_FUNCTION,
    "DROP TRIGGER IF EXISTS cases_case_money_update ON cases_case;",
    "CREATE TRIGGER cases_case_money_update AFTER UPDATE ON cases_case REFERENCING OLD TABLE "
    "AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION oversight_case_money_apply();",
]
MONEY_UNINSTALL = [
    *(f"DROP TRIGGER IF EXISTS {table}_money_{op} ON {table};"
      for table, _, _ in _MONEY_TABLES for op in ("insert", "delete", "update")),
    "DROP TRIGGER IF EXISTS cases_case_money_update ON cases_case;",
    "DROP FUNCTION IF EXISTS oversight_case_money_apply();",
    *(f"DROP FUNCTION IF EXISTS {function}();" for _, function, _ in _MONEY_TABLES),
]
MONEY_FILL = _MONEY_UPSERT.format(rows=" UNION ALL ".join(
    rows(table, 1) for table, _, rows in _MONEY_TABLES))

# The deadline figure (overdue; open and due within 7 days, by kind and department) reads only
# the deadlines that are overdue or open: a partial index on them by (status, due) holding the
# grouped columns, so the figure is an index-only range scan (migration 0005).
DEADLINE_INDEX = (
    "CREATE INDEX IF NOT EXISTS oversight_deadline_due ON workflow_deadline "
    "(status, due, department_id, kind) WHERE status IN ('open', 'overdue');")
DEADLINE_INDEX_DROP = "DROP INDEX IF EXISTS oversight_deadline_due;"
