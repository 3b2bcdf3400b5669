"""检索 at province scale, over real HTTP, and what pg_trgm does with Chinese substrings.

Generates parties, clues (each naming one party), cases (each with one obligor) with set-based
SQL (generate_series; Chinese names and summaries drawn from word pools with random() after
setseed, so the same data every run; secondary indexes, the trigram ones included, dropped
during the load and rebuilt after). Then:

1. `EXPLAIN ANALYZE` of the search's text query on clues for the coordinator (whole city)
   at 2, 3, 4 and 6 Chinese characters and a part of a number, as the search runs it (its
   first id slice) and over the whole table: which plan, how long. A 2-character query has no
   trigram (pg_trgm needs 3 consecutive characters of the pattern's literal), so the index
   cannot narrow it.
2. gunicorn (3 sync workers, production settings, plain http on 127.0.0.1), one logged-in
   session per simulated user (half the officer `shuiwu`, half the coordinator `qiantou`),
   the search page for each query at c = 4 until --requests or --seconds; p50/p95 beside the
   anonymous login page and the logged-in search page without a query in the same run.

    createdb -h 127.0.0.1 -U postgres bench_search
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search \\
      .venv/bin/python bench/search_http.py --clues 5000000 --cases 1000000

The database must have a UTF-8 LC_CTYPE (C.UTF-8, zh_CN.UTF-8, en_US.UTF-8): under LC_CTYPE=C
pg_trgm sees no word characters in Chinese text and extracts no trigrams at all."""

import argparse
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lists_http  # noqa: E402  (django.setup, the HTTP client and gunicorn helpers)
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.demo import build_org  # noqa: E402
from cases.models import Case  # noqa: E402
from parties.models import Party  # noqa: E402
from screening.models import Clue, SourceChannel  # noqa: E402
from search.services import clean_query  # noqa: E402

CITIES = ["太原", "晋中", "大同", "长治", "临汾", "运城", "吕梁", "忻州", "阳泉", "朔州"]
BRANDS = ["晋阳", "汾河", "龙城", "恒泰", "鑫源", "华兴", "宏达", "永盛", "金石", "兴隆", "瑞丰",
          "盛世", "天利", "东方", "新宇", "泰山", "昌盛", "亿通", "中信", "万家"]
TRADES = ["化工", "煤业", "焦化", "钢铁", "建材", "冶金", "水泥", "电力", "造纸", "制药"]
FORMS = ["有限公司", "股份有限公司", "有限责任公司"]
RIVERS = ["汾河", "晋阳湖", "文峪河", "桑干河", "漳河", "沁河", "涑水河", "潇河", "滹沱河", "昌源河"]
EVENTS = ["超标排放废水", "非法倾倒固体废物", "偷排含铬废水", "违法占用林地", "非法采砂",
          "扬尘污染", "危险废物非法填埋", "渗滤液外溢", "废气无组织排放", "破坏湿地植被"]
# 20 × 20 village names (…村): a 3-character term found in about 1 in 400 records
V1 = list("东西南北上下前后大小新老高低长青红白黄石")
V2 = list("家庄坡沟峪湾岭营堡店屯寨坪峰岗泉塘桥园林")


def _arr(values) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def _pick(values, seed: str) -> str:
    return f"({_arr(values)})[1 + floor({seed} * {len(values)})::int]"


def _load(table: str, sql: str, params: dict) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT "
            "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", [table])
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        started = time.perf_counter()
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(sql, params)
        print(f"  {table}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.0f} s",
              flush=True)
        started = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {table}")
        print(f"  {table}: {len(indexes)} indexes rebuilt in "
              f"{time.perf_counter() - started:.0f} s", flush=True)


def generate(org, parties: int, clues: int, cases: int) -> None:
    departments = [d for d in org.departments.values() if d.handles_claims]
    common = {"depts": [d.pk for d in departments],
              "juris": [d.jurisdiction_id for d in departments],
              "officer": org.by_username["jingban"].pk,
              "profile": org.city.rule_profile_on(lists_http.date(2025, 8, 1)).pk}
    village = f"{_pick(V1, 'random()')} || {_pick(V2, 'random()')} || '村'"
    if Party.objects.count() < parties:
        _load("parties_party", f"""
            INSERT INTO parties_party (kind, name, credit_code, id_number, legal_representative,
                representative_title, work_unit, address, phone, note, created_by_id,
                created_at, updated_at)
            SELECT 'organisation',
                   {_pick(CITIES, 'random()')} || {_pick(BRANDS, 'random()')}
                     || {_pick(TRADES, 'random()')} || {_pick(FORMS, 'random()')},
                   '91140100' || lpad(i::text, 10, '0'), '', '', '', '', '', '', '',
                   %(officer)s, now(), now()
            FROM generate_series(1, %(n)s) AS i""", {**common, "n": parties})
    first_party = Party.objects.order_by("pk").values_list("pk", flat=True).first()
    if not Clue.objects.filter(number__startswith="B").exists():
        _load("screening_clue", f"""
            INSERT INTO screening_clue (number, found_on, registered_on, source_organisation,
                source_reference, summary, place_detail, damage_type, estimated_amount,
                in_protected_area, rectification, state, created_at, updated_at,
                department_id, jurisdiction_id, place_id, registered_by_id, channel_id,
                decided_on, decision, decision_note, decision_reason, rule_profile_id,
                trivial_assessment, referring_procuratorate_id)
            SELECT 'B140100-' || (2025 + (r > date '2026-01-01')::int) || '-XS'
                       || lpad(i::text, 8, '0'), r - 2, r, '', '',
                   {_pick(CITIES, 'random()')} || {_pick(BRANDS, 'random()')} || '企业在'
                     || {_pick(RIVERS, 'random()')} || {village} || '段'
                     || {_pick(EVENTS, 'random()')} || '，造成下游河段生态环境损害。', '',
                   'water', NULL, FALSE, 'unknown',
                   (ARRAY['registered','verifying','case_opened','not_started','closed'])
                       [1 + floor(random() * 5)::int], now(), now(),
                   (%(depts)s::bigint[])[k], (%(juris)s::bigint[])[k], NULL, %(officer)s,
                   (%(channels)s::bigint[])[1 + i %% cardinality(%(channels)s::bigint[])],
                   NULL, '', '', '', %(profile)s, '{{}}'::jsonb, NULL
            FROM (SELECT i, date '2025-08-01' + floor(random() * 480)::int AS r,
                         1 + floor(random() * cardinality(%(depts)s::bigint[]))::int AS k
                  FROM generate_series(1, %(n)s) AS i) AS g""",
              {**common, "n": clues,
               "channels": list(SourceChannel.objects.values_list("pk", flat=True))})
        _load("screening_clue_suspected_obligors", """
            INSERT INTO screening_clue_suspected_obligors (clue_id, party_id)
            SELECT c.id, %(first)s + (c.id * 7919) %% %(parties)s FROM screening_clue c""",
              {"first": first_party, "parties": parties})
    if not Case.objects.filter(number__startswith="B").exists():
        _load("cases_case", f"""
            INSERT INTO cases_case (number, source, cause, summary, damage_place, damage_type,
                estimated_amount, appraised_amount, fees_amount, restorability,
                restorable_area, restoration_requirements, classification,
                court_notified_on, procuratorate_notified_on, opened_on,
                investigation_started_on, investigation_ended_on, termination_reason, stage,
                created_by_id, department_id, jurisdiction_id, lead_department_id,
                rule_profile_id)
            SELECT 'B140100-' || (2025 + (r > date '2026-01-01')::int) || '-SP'
                       || lpad(i::text, 7, '0'), '日常监管、执法巡查发现',
                   {_pick(BRANDS, 'random()')} || {_pick(TRADES, 'random()')} || '企业'
                     || {_pick(EVENTS, 'random()')} || '致' || {_pick(RIVERS, 'random()')}
                     || '生态环境损害案',
                   '经初步核查，' || {village} || '附近' || {_pick(RIVERS, 'random()')}
                     || '河段受到污染，存在生态环境损害，启动索赔。', '', 'water',
                   NULL, NULL, NULL, 'unknown', '', '', '', NULL, NULL, r, NULL, NULL, '',
                   (ARRAY['draft','investigating','negotiating','performing','closed'])
                       [1 + floor(random() * 5)::int],
                   %(officer)s, (%(depts)s::bigint[])[k], (%(juris)s::bigint[])[k], NULL,
                   %(profile)s
            FROM (SELECT i, date '2025-08-01' + floor(random() * 480)::int AS r,
                         1 + floor(random() * cardinality(%(depts)s::bigint[]))::int AS k
                  FROM generate_series(1, %(n)s) AS i) AS g""", {**common, "n": cases})
        _load("cases_caseobligor", """
            INSERT INTO cases_caseobligor (case_id, party_id, role, note)
            SELECT c.id, %(first)s + (c.id * 104729) %% %(parties)s, 'principal', ''
            FROM cases_case c""", {"first": first_party, "parties": parties})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def queries() -> dict[str, str]:
    """label -> query text. The credit code is one that exists."""
    code = Party.objects.order_by("pk").values_list("credit_code", flat=True)[500]
    return {
        "2 chars 晋阳 (1/20)": "晋阳",
        "2 chars 东家 (1/400)": "东家",
        "2 chars 铬渣 (none)": "铬渣",
        "3 chars 东家村 (1/400)": "东家村",
        "4 chars 晋阳化工 (party names)": "晋阳化工",
        "6 chars 偷排含铬废水 (1/10)": "偷排含铬废水",
        "number part XS00012345": "XS00012345",
        "credit code (exact)": code,
    }


def explain(user, label: str, text: str) -> None:
    """The plan and time of the clue text query's first id slice as the search runs it
    (search.services._text_matches: the newest WINDOWS[0] ids, or SHORT_QUERY_WINDOW under 3
    characters, or the whole table for a query without CJK characters), and the same query
    over the whole table (what a plain `LIKE` does)."""
    from search.services import _newest_id, _slices, _text_q

    text = clean_query(text)
    base = Clue.objects.visible_to(user)
    q = _text_q(text, text.upper(), text_fields=("summary",))
    low, _ = next(_slices(_newest_id(Clue), None, text))
    first = base.filter(q) if low is None else base.filter(q, pk__gt=low)
    for name, qs in (("search", first), ("plain LIKE", base.filter(q))):
        if name == "plain LIKE" and low is None:
            continue  # the same query
        plan = qs.order_by("-pk")[:21].explain(analyze=True)
        nodes = [line.strip().split("  (")[0].lstrip("-> ") for line in plan.splitlines()
                 if "->" in line or line.startswith(("Limit", "Sort", "Seq", "Index"))]
        total = next((line for line in plan.splitlines()
                      if line.startswith("Execution Time")), "")
        print(f"  {label:30} {name:10} {total}")
        print("      " + " / ".join(n for n in nodes if "accounts_" not in n
                                    and "participants" not in n)[:150])


def in_process(org, texts) -> None:
    """search(user, q) in this process: wall time (Python and SQL) and its queries' SQL time,
    median of 5 after a warm-up."""
    import statistics

    from django.test.utils import CaptureQueriesContext

    from search.services import search

    for username in lists_http.USERS:
        user = org.by_username[username]
        for label, text in texts.items():
            walls, sqls = [], []
            search(user, text)
            for _ in range(5):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    search(user, text)
                    walls.append((time.perf_counter() - started) * 1000)
                sqls.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            print(f"  {username:8} {label:30} {statistics.median(walls):7.1f} ms "
                  f"(SQL {statistics.median(sqls):6.1f} ms, {len(ctx.captured_queries)} "
                  f"queries)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parties", type=int, default=200_000)
    parser.add_argument("--clues", type=int, default=5_000_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=240, help="per query")
    parser.add_argument("--seconds", type=float, default=20, help="per query")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--no-http", action="store_true", help="plans only")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    assert connection.vendor == "postgresql", "set DATABASE_URL to a scratch PostgreSQL db"
    with connection.cursor() as cursor:
        cursor.execute("SHOW lc_ctype")
        print(f"lc_ctype {cursor.fetchone()[0]}")
    call_command("migrate", verbosity=0)
    org = build_org()
    generate(org, args.parties, args.clues, args.cases)
    print(f"parties {Party.objects.count():,}; clues {Clue.objects.count():,}; "
          f"cases {Case.objects.count():,}", flush=True)
    texts = queries()
    print("EXPLAIN ANALYZE of the clue text query, coordinator (qiantou, whole city):")
    for label, text in texts.items():
        explain(org.by_username["qiantou"], label, text)
    print("search(user, q) in process, median of 5:")
    settings.DEBUG = True  # CaptureQueriesContext needs it for the timings
    in_process(org, texts)
    settings.DEBUG = False
    if args.no_http:
        return
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    connection.close()

    from urllib.parse import quote

    port = lists_http.free_port()
    server = lists_http.start_gunicorn(port, args.workers, lists_http.BASE)
    try:
        sessions = []
        for i in range(args.concurrency):
            s = lists_http.Session(port)
            s.login(lists_http.USERS[i % 2])
            s.user = lists_http.USERS[i % 2]
            sessions.append(s)
        anonymous = []
        for _ in range(args.concurrency):
            s = lists_http.Session(port)
            s.user = "anonymous"
            anonymous.append(s)
        print(f"HTTP, c = {args.concurrency}, {args.workers} gunicorn workers; "
              f"p50 / p95 in ms, requests/s")
        results, rate = lists_http.drive(anonymous, lambda s: ["/accounts/login/"],
                                         args.requests, args.seconds)
        p50, p95 = lists_http.percentiles([ms for _, _, ms in results])
        print(f"  {'reference: login page':34} {p50:7.1f} {p95:7.1f}  {rate:5.0f}/s")
        # a logged-in page of the same template without a query: the floor of a search page
        results, rate = lists_http.drive(sessions, lambda s: ["/search/"], args.requests,
                                         args.seconds)
        p50, p95 = lists_http.percentiles([ms for _, _, ms in results])
        print(f"  {'reference: /search/ without q':34} {p50:7.1f} {p95:7.1f}  {rate:5.0f}/s")
        for label, text in texts.items():
            url = "/search/?q=" + quote(text)
            results, rate = lists_http.drive(sessions, lambda s, url=url: [url],
                                             args.requests, args.seconds)
            p50, p95 = lists_http.percentiles([ms for _, _, ms in results])
            by_user = {}
            for user, _, ms in results:
                by_user.setdefault(user, []).append(ms)
            per_user = "; ".join(f"{u} p95 {lists_http.percentiles(t)[1]:.0f}"
                                 for u, t in sorted(by_user.items()))
            print(f"  {label:34} {p50:7.1f} {p95:7.1f}  {rate:5.0f}/s  ({per_user})",
                  flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
