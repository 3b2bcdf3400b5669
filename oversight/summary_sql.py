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
