#!/usr/bin/env python3
# Regenerates the hostile import corpus (NNN-name.ndjson + manifest.tsv) next to this file.
# base.ndjson and check.sh are hand-written and not touched. Usage: python3 generate.py [OUTDIR]
import json, os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
A = "ballerup/anna"
KB = "ballerup/kb"
PLAN = "ballerup/erhverv-2021"
THEME = "ballerup/erhverv-2021/vaekst"
GOAL = "ballerup/erhverv-2021/mal-3"
IND = "ballerup/erhverv-2021/mal-3/nye-virksomheder"
INI = "ballerup/erhverv-2021/ivaerksaetterhus"

def ev(stream, type_, effective, actor, data, **extra):
    o = {"stream": stream, "type": type_, "effective": effective, "actor": actor}
    o.update(extra)
    o["data"] = data
    return o

def j(o):
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))

# Valid prefix lines (all new w.r.t. base.ndjson, valid in order).
P_THEME = j(ev("ballerup/erhverv-2021/groen", "ThemeAdded", "2021-03-02", A,
               {"plan": PLAN, "title": "Grøn omstilling", "order": 2}))
P_GOAL = j(ev("ballerup/erhverv-2021/mal-4", "GoalDefined", "2021-03-02", A,
              {"plan": PLAN, "theme": "ballerup/erhverv-2021/groen", "title": "Lavere CO2-udledning fra erhverv", "label": "Mål 4"}))
P_MEAS = j(ev(IND, "MeasurementRecorded", "2023-01-15", A, {"value": 430, "period": "2022", "source": "CVR"}))
P_LINK = j(ev(GOAL, "Linked", "2021-06-22", KB, {"to": "sdg:8.3", "relation": "supports"}))
P_STATUS = j(ev(INI, "StatusChanged", "2022-05-01", KB, {"status": "achieved"}, reason="Huset er åbnet"))
P_ACTOR = j(ev("ballerup/bo", "ActorRegistered", "2018-01-01", KB, {"name": "Bo Hansen", "kind": "person", "memberOf": KB}))

def bad(o_or_text):
    return o_or_text if isinstance(o_or_text, (str, bytes)) else j(o_or_text)

cases = []  # (name, [line bytes/str], bad_line_1based, description, trailing_newline)

def add(name, lines, badline, desc, nl=True, sep="\n"):
    cases.append((name, lines, badline, desc, nl, sep))

def goal5(**kw):
    d = {"plan": PLAN, "theme": THEME, "title": "Flere grønne virksomheder", "label": "Mål 5"}
    d.update(kw)
    return d

G5 = "ballerup/erhverv-2021/mal-5"
VALID_G5 = j(ev(G5, "GoalDefined", "2021-03-02", A, goal5()))
VALID_G5_NOTHEME = VALID_G5  # same

# ---------- broken JSON ----------
add("missing-brace", [P_THEME, P_GOAL, VALID_G5[:-1], P_MEAS], 3,
    "broken JSON: object missing its closing brace (a valid line follows)")
add("trailing-comma", [P_THEME, VALID_G5[:-1] + ",}"], 2,
    "broken JSON: trailing comma before closing brace")
add("trailing-comma-data", [P_THEME, P_GOAL, VALID_G5.replace('"label":"Mål 5"}', '"label":"Mål 5",}')], 3,
    "broken JSON: trailing comma inside data object")
add("single-quotes", [P_THEME, VALID_G5.replace('"', "'")], 2,
    "broken JSON: single-quoted keys and strings")
add("unquoted-keys", [P_THEME, P_GOAL, '{stream:"%s",type:"GoalDefined",effective:"2021-03-02",actor:"%s",data:{plan:"%s",title:"Mål 5"}}' % (G5, A, PLAN)], 3,
    "broken JSON: unquoted member names")
add("line-comment", [P_THEME, "// Mål 5 kommer her", VALID_G5], 2,
    "broken JSON: a // comment line")
add("trailing-comment", [P_THEME, P_GOAL, VALID_G5 + " // vedtaget i KB"], 3,
    "broken JSON: valid object followed by a // comment on the same line")
add("block-comment", [P_THEME, VALID_G5.replace('"label":', '/* label */"label":')], 2,
    "broken JSON: /* */ comment inside an object")
add("hash-comment", ["# eksport fra regneark", P_THEME], 1,
    "broken JSON: a # comment line")
add("truncated-last-line", [P_THEME, P_GOAL, VALID_G5[:60]], 3,
    "truncated last line: no closing brace and no newline at end of file", nl=False)
add("two-objects-one-line", [P_THEME, P_GOAL + P_MEAS], 2,
    "two JSON objects concatenated on one line")
add("trailing-garbage", [P_THEME, P_GOAL, P_MEAS + " x"], 3,
    "trailing garbage after a valid object")
add("json-array-line", [P_THEME, "[" + P_GOAL + "]"], 2,
    "line is a JSON array (of an otherwise valid event), not an object")
add("number-line", [P_THEME, P_GOAL, "42"], 3,
    "line is just a number")
add("string-line", [P_THEME, '"GoalDefined"'], 2,
    "line is just a JSON string")
add("null-line", [P_THEME, P_GOAL, "null"], 3,
    "line is the JSON literal null")
add("empty-object", [P_THEME, "{}"], 2,
    "line is an empty object (every required member missing)")

# ---------- encoding ----------
add("utf8-bom", [b"\xef\xbb\xbf" + P_THEME.encode(), P_GOAL], 1,
    "UTF-8 byte order mark at the start of the file")
add("crlf-file", [P_THEME, P_GOAL, P_MEAS], 1,
    "CRLF line endings throughout: the first CRLF line is rejected", sep="\r\n")
cases.append(("crlf-mixed", [P_THEME, P_GOAL, P_MEAS + "\r", P_LINK + "\r"], 3,
    "LF lines followed by CRLF lines: the first CRLF line is rejected", True, "\n"))
add("nul-byte", [P_THEME, P_GOAL, VALID_G5.replace("grønne", "grønne\x00")], 3,
    "raw NUL byte inside a title string")
add("invalid-utf8", [P_THEME, VALID_G5.encode().replace(b"gr\xc3\xb8nne", b"gr\xf8nne")], 2,
    "invalid UTF-8: Latin-1 byte 0xF8 for 'ø' in a title")
add("invalid-utf8-ff", [P_THEME, P_GOAL, VALID_G5.encode().replace(b"Flere", b"Fl\xff\xfere")], 3,
    "invalid UTF-8: bytes 0xFF 0xFE in a title")
add("overlong-utf8", [P_THEME, VALID_G5.encode().replace(b"Flere", b"Flere\xc0\xaf")], 2,
    "invalid UTF-8: overlong encoding C0 AF in a title")
add("cesu-surrogate-bytes", [P_THEME, P_GOAL, VALID_G5.encode().replace(b"Flere", b"Flere\xed\xa0\x80")], 3,
    "invalid UTF-8: encoded surrogate bytes ED A0 80 in a title")
add("lone-surrogate-escape", [P_THEME, VALID_G5.replace("Flere", "Flere\\ud800")], 2,
    "lone surrogate escape \\ud800 in a title")
add("raw-control-char", [P_THEME, P_GOAL, VALID_G5.replace("Flere", "Flere\x01")], 3,
    "raw control byte 0x01 inside a title string (invalid JSON)")
add("escaped-control-char", [P_THEME, VALID_G5.replace("Flere", "Flere\\u0001")], 2,
    "control character \\u0001 (escaped) inside a title")

# ---------- wrong member types ----------
add("stream-number", [P_THEME, P_GOAL, j(ev(42, "GoalDefined", "2021-03-02", A, goal5()))], 3,
    "stream is a number")
add("data-array", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", A, [goal5()]))], 2,
    "data is an array")
add("data-string", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, j(goal5())))], 3,
    "data is a string containing JSON")
add("data-null", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", A, None))], 2,
    "data is null")
add("effective-number", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", 20210302, A, goal5()))], 3,
    "effective is a number (20210302)")
add("value-string", [P_THEME, P_GOAL, j(ev("ballerup/erhverv-2021/mal-4", "TargetSet", "2021-06-22", KB, {"value": "30", "unit": "%"}))], 3,
    "TargetSet value is a string (\"30\")")
add("value-bool", [P_THEME, P_GOAL, j(ev("ballerup/erhverv-2021/mal-4", "TargetSet", "2021-06-22", KB, {"value": True, "unit": "%"}))], 3,
    "TargetSet value is a boolean")
add("reason-number", [P_THEME, j(ev(GOAL, "StatusChanged", "2022-01-01", KB, {"status": "achieved"}, reason=7))], 2,
    "reason is a number")
add("reason-null", [P_THEME, P_GOAL, j(ev(GOAL, "StatusChanged", "2022-01-01", KB, {"status": "achieved"}, reason=None))], 3,
    "reason is null (optional members are omitted, never null)")
add("expectedversion-string", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(), expectedVersion="0"))], 2,
    "expectedVersion is a string (\"0\")")
add("title-number", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(title=5)))], 3,
    "data.title is a number")

# ---------- missing required members ----------
def without(o, key):
    o = dict(o); del o[key]; return o
G5o = ev(G5, "GoalDefined", "2021-03-02", A, goal5())
add("missing-stream", [P_THEME, without(G5o, "stream")], 2, "missing member: stream")
add("missing-type", [P_THEME, P_GOAL, without(G5o, "type")], 3, "missing member: type")
add("missing-effective", [P_THEME, without(G5o, "effective")], 2, "missing member: effective")
add("missing-actor", [P_THEME, P_GOAL, P_MEAS, without(G5o, "actor")], 4, "missing member: actor")
add("missing-data", [P_THEME, without(G5o, "data")], 2, "missing member: data")
add("missing-title", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, {"plan": PLAN, "label": "Mål 5"}))], 3,
    "missing data.title in GoalDefined")
add("missing-value", [P_THEME, P_GOAL, j(ev("ballerup/erhverv-2021/mal-4", "TargetSet", "2021-06-22", KB, {"unit": "%", "comparator": "<="}))], 3,
    "missing data.value in TargetSet")
add("missing-retracted-event", [P_THEME, j(ev(IND, "Retracted", "2023-02-01", KB, {}, reason="Fejl"))], 2,
    "Retracted without data.event")

# ---------- unknown members / types ----------
add("unknown-top-member", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(), comment="fra regneark"))], 3,
    "unknown top-level member \"comment\"")
add("unknown-data-member", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(owner="ballerup/anna")))], 2,
    "unknown data member \"owner\" in GoalDefined")
add("unknown-baseline-member", [P_THEME, P_GOAL, j(ev("ballerup/erhverv-2021/mal-4", "TargetSet", "2021-06-22", KB,
    {"value": 20, "unit": "%", "baseline": {"value": 10, "at": "2020-12-31", "source": "DST"}}))], 3,
    "unknown nested member \"source\" in TargetSet baseline")
add("unknown-horizon-member", [P_THEME, j(ev(PLAN, "PlanRevised", "2021-09-01", KB, {"horizon": {"from": 2021, "until": 2026}}))], 2,
    "unknown nested member \"until\" in PlanRevised horizon")
add("unknown-type", [P_THEME, P_GOAL, j(ev(GOAL, "GoalDeleted", "2022-01-01", KB, {}))], 3,
    "unknown event type GoalDeleted")
add("wrong-case-type", [P_THEME, j(ev("ballerup/erhverv-2021/mal-4", "targetset", "2021-06-22", KB, {"value": 20, "unit": "%"}))], 2,
    "event type in wrong case: targetset")
add("type-with-space", [P_THEME, P_GOAL, j(ev(GOAL, "StatusChanged ", "2022-01-01", KB, {"status": "achieved"}))], 3,
    "event type with trailing space")
add("bad-enum-actor-kind", [P_THEME, j(ev("ballerup/robot", "ActorRegistered", "2021-01-01", KB, {"name": "Robot", "kind": "robot"}))], 2,
    "ActorRegistered kind not in person|body|organization")
add("bad-enum-status", [P_THEME, P_GOAL, j(ev(GOAL, "StatusChanged", "2022-01-01", KB, {"status": "done"}))], 3,
    "StatusChanged status not in the vocabulary (done)")
add("bad-enum-comparator", [P_THEME, P_GOAL, j(ev("ballerup/erhverv-2021/mal-4", "TargetSet", "2021-06-22", KB, {"value": 20, "unit": "%", "comparator": ">"}))], 3,
    "TargetSet comparator not in >=|<=|= (>)")
add("bad-enum-direction", [P_THEME, P_GOAL, j(ev("ballerup/erhverv-2021/mal-4/co2", "IndicatorDefined", "2021-03-02", A,
    {"goal": "ballerup/erhverv-2021/mal-4", "title": "CO2", "unit": "ton", "direction": "down"}))], 3,
    "IndicatorDefined direction not in increase|decrease (down)")

# ---------- dates and instants ----------
def actor_on(eff, name="ballerup/carl"):
    return j(ev(name, "ActorRegistered", eff, KB, {"name": "Carl", "kind": "person"}))
add("impossible-date-feb30", [P_ACTOR, actor_on("2018-02-30")], 2, "impossible date 2018-02-30 (effective)")
add("impossible-date-feb29", [P_ACTOR, actor_on("2020-02-29", "ballerup/dorte"), actor_on("2019-02-29")], 3,
    "impossible date 2019-02-29 (not a leap year; 2020-02-29 on line 2 is valid)")
add("impossible-date-month13", [P_ACTOR, actor_on("2018-13-01")], 2, "impossible date 2018-13-01")
add("impossible-date-month00", [P_ACTOR, P_THEME, actor_on("2018-00-10")], 3, "impossible date 2018-00-10")
add("impossible-date-day00", [P_ACTOR, actor_on("2018-06-00")], 2, "impossible date 2018-06-00")
add("impossible-date-apr31", [P_ACTOR, actor_on("2018-04-31")], 2, "impossible date 2018-04-31")
add("impossible-date-1900-feb29", [P_ACTOR, P_THEME, actor_on("1900-02-29")], 3, "impossible date 1900-02-29 (1900 is not a leap year)")
add("unpadded-date", [P_ACTOR, actor_on("2018-6-1")], 2, "date without zero padding 2018-6-1")
add("fractional-seconds", [P_ACTOR, P_THEME, actor_on("2018-06-01T10:00:00.5+02:00")], 3,
    "effective instant with fractional seconds")
add("instant-no-offset", [P_ACTOR, actor_on("2018-06-01T10:00:00")], 2, "effective instant without offset")
add("offset-25h", [P_ACTOR, P_THEME, actor_on("2018-06-01T10:00:00+25:00")], 3, "effective instant with offset +25:00")
add("offset-60min", [P_ACTOR, actor_on("2018-06-01T10:00:00+02:60")], 2, "effective instant with offset +02:60")
add("hour-24", [P_ACTOR, actor_on("2018-06-01T24:00:00Z")], 2, "effective instant with hour 24")
add("minute-61", [P_ACTOR, P_THEME, actor_on("2018-06-01T10:61:00Z")], 3, "effective instant with minute 61")
add("effective-empty", [P_ACTOR, actor_on("")], 2, "effective is an empty string")
add("effective-danish", [P_ACTOR, P_THEME, actor_on("22.06.2021")], 3, "effective in Danish format 22.06.2021")
add("deadline-not-date", [P_THEME, P_GOAL, j(ev("ballerup/erhverv-2021/mal-4", "TargetSet", "2021-06-22", KB,
    {"value": 20, "unit": "%", "deadline": "31-12-2025"}))], 3, "TargetSet deadline is not a date (31-12-2025)")
add("deadline-impossible", [P_THEME, j(ev("ballerup/erhverv-2021/mal-4x", "GoalDefined", "2021-03-02", A, {"plan": PLAN, "title": "X"})),
    j(ev("ballerup/erhverv-2021/mal-4x", "TargetSet", "2021-06-22", KB, {"value": 20, "unit": "%", "deadline": "2025-02-30"}))], 3,
    "TargetSet deadline is an impossible date (2025-02-30)")
add("baseline-at-impossible", [P_THEME, P_GOAL, j(ev("ballerup/erhverv-2021/mal-4", "TargetSet", "2021-06-22", KB,
    {"value": 20, "unit": "%", "baseline": {"value": 10, "at": "2019-02-29"}}))], 3,
    "TargetSet baseline.at is an impossible date (2019-02-29)")

# ---------- text and numbers ----------
add("huge-title", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(title="a" * 10001)))], 3,
    "title of 10,001 characters")
add("huge-title-multibyte", [P_THEME, j(ev("ballerup/erhverv-2021/mal-6", "GoalDefined", "2021-03-02", A, {"plan": PLAN, "title": "æ" * 10000})),
    j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(title="æ" * 10001)))], 3,
    "title of 10,001 'æ' (line 2 has exactly 10,000 'æ' = 20,000 bytes and is valid)")
add("whitespace-title", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(title=" \t  ")))], 2,
    "whitespace-only title")
add("empty-title", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(title="")))], 3,
    "empty title")
add("huge-number", [P_THEME, P_GOAL, j(ev("ballerup/erhverv-2021/mal-4", "TargetSet", "2021-06-22", KB, {"value": 1, "unit": "%"})).replace('"value":1,', '"value":1e400,')], 3,
    "number overflowing a double (1e400)")
add("nan-literal", [P_THEME, j(ev("ballerup/erhverv-2021/mal-4x", "GoalDefined", "2021-03-02", A, {"plan": PLAN, "title": "X"})),
    j(ev("ballerup/erhverv-2021/mal-4x", "TargetSet", "2021-06-22", KB, {"value": 1, "unit": "%"})).replace('"value":1,', '"value":NaN,')], 3,
    "NaN literal as a value")
add("infinity-literal", [P_THEME, P_MEAS, j(ev(IND, "MeasurementRecorded", "2024-01-15", A, {"value": 1})).replace('"value":1', '"value":Infinity')], 3,
    "Infinity literal as a value")
add("neg-infinity-literal", [P_THEME, j(ev(IND, "MeasurementRecorded", "2024-01-15", A, {"value": 1})).replace('"value":1', '"value":-Infinity')], 2,
    "-Infinity literal as a value")
add("negative-expectedversion", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(), expectedVersion=-1))], 3,
    "negative expectedVersion (-1)")
add("fractional-expectedversion", [P_THEME, j(ev(GOAL, "StatusChanged", "2022-01-01", KB, {"status": "achieved"})).replace('"actor"', '"expectedVersion":2.5,"actor"')], 2,
    "fractional expectedVersion (2.5)")

# ---------- identifiers ----------
def actor_id(i):
    return j(ev(i, "ActorRegistered", "2021-01-01", KB, {"name": "Udvalg", "kind": "body"}))
add("id-uppercase", [P_THEME, P_GOAL, actor_id("Ballerup/KB")], 3, "entity id with uppercase letters (Ballerup/KB)")
add("id-space", [P_THEME, actor_id("ballerup/oekonomi udvalg")], 2, "entity id containing a space")
add("id-dotdot", [P_THEME, P_GOAL, actor_id("ballerup/../x")], 3, "entity id with a .. segment (ballerup/../x)")
add("id-leading-slash", [P_THEME, actor_id("/ballerup/x")], 2, "entity id with a leading slash")
add("id-trailing-slash", [P_THEME, P_GOAL, actor_id("ballerup/x/")], 3, "entity id with a trailing slash")
add("id-double-slash", [P_THEME, actor_id("ballerup//x")], 2, "entity id with a double slash")
add("id-sql", [P_THEME, P_GOAL, actor_id("x'; DROP TABLE events;--")], 3, "entity id that is an SQL fragment")
add("id-non-ascii", [P_THEME, actor_id("ballerup/økonomiudvalget")], 2, "entity id with non-ASCII letters")
add("id-empty", [P_THEME, P_GOAL, actor_id("")], 3, "entity id is an empty string")
id200 = "ballerup/" + "a" * 191
id201 = "ballerup/" + "a" * 192
assert len(id200) == 200 and len(id201) == 201
add("id-too-long", [P_THEME, actor_id(id200), actor_id(id201)], 3,
    "entity id of 201 characters (line 2 has a valid 200-character id)")
add("ref-id-invalid", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(plan="Ballerup/Erhverv-2021")))], 3,
    "reference (data.plan) that is not a valid entity id")
ev100 = "e" * 100
ev101 = "e" * 101
add("event-id-too-long", [P_THEME, j(ev("ballerup/erhverv-2021/mal-4", "GoalDefined", "2021-03-02", A, {"plan": PLAN, "title": "X"}, id=ev100)),
    j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(), id=ev101))], 3,
    "event id of 101 characters (line 2 has a valid 100-character id)")
add("event-id-space", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(), id="mål 5 oprettet"))], 2,
    "event id containing spaces")
add("event-id-empty", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(), id=""))], 3,
    "event id is an empty string")
add("event-id-number", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(), id=5))], 2,
    "event id is a number")
add("duplicate-id-different", [P_THEME, P_GOAL, j(ev(GOAL, "TargetSet", "2021-06-22", KB,
    {"value": 35, "unit": "%", "comparator": ">=", "deadline": "2025-12-31"}, id="base-06", reason="Ny politik 2021-2025", decision="KB 22.06.2021 pkt. 7"))], 3,
    "event id base-06 reused from base.ndjson with different data (value 35)")
add("duplicate-id-in-file", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(), id="h-dup")),
    j(ev("ballerup/erhverv-2021/mal-6", "GoalDefined", "2021-03-02", A, {"plan": PLAN, "title": "Andet mål"}, id="h-dup"))], 3,
    "event id used twice in the same file with different content")
add("duplicate-key-top", [P_THEME, P_GOAL, VALID_G5.replace('{"stream":"%s"' % G5, '{"stream":"%s","stream":"ballerup/erhverv-2021/mal-6"' % G5)], 3,
    "duplicate member \"stream\" in one object")
add("duplicate-key-data", [P_THEME, VALID_G5.replace('"title":"Flere grønne virksomheder"', '"title":"Flere grønne virksomheder","title":"Andet"')], 2,
    "duplicate member \"title\" inside data")

# ---------- references ----------
add("missing-plan", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(plan="ballerup/erhverv-2099", theme=None)))], 3,
    "GoalDefined plan names a missing plan")
cases[-1] = (cases[-1][0], [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, {"plan": "ballerup/erhverv-2099", "title": "Mål 5"}))], 3, cases[-1][3], True, "\n")
add("missing-theme", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(theme="ballerup/erhverv-2021/findes-ikke")))], 2,
    "GoalDefined theme names a missing theme")
add("missing-goal", [P_THEME, P_GOAL, j(ev("ballerup/erhverv-2021/mal-9/x", "IndicatorDefined", "2021-03-02", A,
    {"goal": "ballerup/erhverv-2021/mal-9", "title": "X", "unit": "antal", "direction": "increase"}))], 3,
    "IndicatorDefined goal names a missing goal")
add("missing-link-target", [P_THEME, P_LINK, j(ev(GOAL, "Linked", "2021-06-22", KB, {"to": "ballerup/vision-2099"}))], 3,
    "Linked to an entity id that does not exist")
add("missing-memberof", [P_THEME, j(ev("ballerup/carl", "ActorRegistered", "2021-01-01", KB, {"name": "Carl", "kind": "person", "memberOf": "ballerup/findes-ikke"}))], 2,
    "ActorRegistered memberOf names a missing actor")
add("missing-organization", [P_THEME, P_GOAL, j(ev("ballerup/klima-2022", "PlanDrafted", "2022-01-01", A,
    {"organization": "ballerup/findes-ikke", "kind": "plan", "title": "Klimaplan"}))], 3,
    "PlanDrafted organization names a missing actor")
add("missing-adopted-by", [P_THEME, j(ev("ballerup/klima-2022", "PlanDrafted", "2022-01-01", A, {"organization": KB, "kind": "plan", "title": "Klimaplan"})),
    j(ev("ballerup/klima-2022", "PlanAdopted", "2022-06-01", KB, {"by": "ballerup/findes-ikke"}))], 3,
    "PlanAdopted by names a missing actor")
add("missing-supersedes", [P_THEME, j(ev("ballerup/klima-2022", "PlanDrafted", "2022-01-01", A,
    {"organization": KB, "kind": "plan", "title": "Klimaplan", "supersedes": "ballerup/klima-2010"}))], 2,
    "PlanDrafted supersedes names a missing plan")
add("wrong-kind-plan-ref", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, {"plan": GOAL, "title": "Mål 5"}))], 3,
    "GoalDefined plan names a goal (wrong kind)")
add("wrong-kind-organization", [P_THEME, j(ev("ballerup/klima-2022", "PlanDrafted", "2022-01-01", A,
    {"organization": PLAN, "kind": "plan", "title": "Klimaplan"}))], 2,
    "PlanDrafted organization names a plan (wrong kind)")
add("wrong-kind-theme-ref", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(theme=GOAL)))], 3,
    "GoalDefined theme names a goal (wrong kind)")
add("unregistered-actor", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", "ballerup/ukendt", goal5()))], 2,
    "actor is not a registered actor")
add("actor-is-plan", [P_THEME, P_GOAL, j(ev(G5, "GoalDefined", "2021-03-02", PLAN, goal5()))], 3,
    "actor names a plan")
add("self-actor-non-actor", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", G5, goal5()))], 2,
    "a GoalDefined names its own (not yet existing) stream as actor")
add("change-missing-stream", [P_THEME, P_GOAL, j(ev("ballerup/erhverv-2021/mal-9", "GoalRevised", "2022-01-01", KB, {"title": "Nyt"}))], 3,
    "change event (GoalRevised) on a missing stream")
add("creation-existing-stream", [P_THEME, j(ev(GOAL, "GoalDefined", "2021-03-02", A, {"plan": PLAN, "title": "Igen"}))], 2,
    "creation event (GoalDefined) on an existing stream")
add("creation-existing-other-kind", [P_THEME, P_GOAL, j(ev(GOAL, "ThemeAdded", "2021-03-02", A, {"plan": PLAN, "title": "Igen"}))], 3,
    "creation event of another kind (ThemeAdded) on an existing goal stream")
add("reregister-actor", [P_THEME, j(ev(KB, "ActorRegistered", "2021-01-01", KB, {"name": "KB igen", "kind": "body"}))], 2,
    "ActorRegistered on an existing actor stream")
add("measurement-on-goal", [P_THEME, P_GOAL, j(ev(GOAL, "MeasurementRecorded", "2022-01-15", A, {"value": 12}))], 3,
    "MeasurementRecorded on a goal (wrong kind)")
add("status-on-plan", [P_THEME, j(ev(PLAN, "StatusChanged", "2022-01-01", KB, {"status": "achieved"}))], 2,
    "StatusChanged on a plan (wrong kind)")
add("targetset-on-theme", [P_THEME, P_GOAL, j(ev(THEME, "TargetSet", "2021-06-22", KB, {"value": 1, "unit": "%"}))], 3,
    "TargetSet on a theme (wrong kind)")
add("target-revision-no-reason", [P_THEME, j(ev(GOAL, "TargetSet", "2022-06-22", KB, {"value": 35, "unit": "%"}))], 2,
    "TargetSet on a goal that already has a target, without reason")
add("target-revision-blank-reason", [P_THEME, P_GOAL, j(ev(GOAL, "TargetSet", "2022-06-22", KB, {"value": 35, "unit": "%"}, reason="   "))], 3,
    "TargetSet on a goal that already has a target, reason is whitespace only")
add("target-second-in-file-no-reason", [P_THEME, P_GOAL,
    j(ev("ballerup/erhverv-2021/mal-4", "TargetSet", "2021-06-22", KB, {"value": 20, "unit": "%"})),
    j(ev("ballerup/erhverv-2021/mal-4", "TargetSet", "2022-06-22", KB, {"value": 25, "unit": "%"}))], 4,
    "second TargetSet on a goal whose first target was set earlier in the same file, without reason")
add("retract-other-stream", [P_THEME, P_GOAL, j(ev(GOAL, "Retracted", "2022-01-01", KB, {"event": "base-07"}, reason="Fejl"))], 3,
    "Retracted on the goal names an event of the indicator stream")
add("retract-unknown-id", [P_THEME, j(ev(GOAL, "Retracted", "2022-01-01", KB, {"event": "findes-ikke"}, reason="Fejl"))], 2,
    "Retracted names an unknown event id")
add("retract-retracted", [P_THEME, j(ev(IND, "Retracted", "2023-02-01", KB, {"event": "base-10"}, reason="Forkert tal", id="h-r1")),
    j(ev(IND, "Retracted", "2023-02-02", KB, {"event": "h-r1"}, reason="Fortryd"))], 3,
    "Retracted names a Retracted event")
add("revision-empty-data", [P_THEME, P_GOAL, j(ev(GOAL, "GoalRevised", "2022-01-01", KB, {}))], 3,
    "GoalRevised with empty data")
add("revision-parent-field", [P_THEME, j(ev(GOAL, "GoalRevised", "2022-01-01", KB, {"plan": "ballerup/erhverv-2021"}))], 2,
    "GoalRevised tries to set the parent (plan)")
add("exported-partial", [P_THEME, P_GOAL, j({"position": 13, "version": 1, "stream": G5, "type": "GoalDefined", "effective": "2021-03-02",
    "actor": A, "id": "h-exp", "data": {"plan": PLAN, "title": "Mål 5"}, "recorded": "2026-01-01T00:00:00.000000Z",
    "hash": "0" * 64})], 3,
    "exported-looking line with position/recorded/hash but no recordedBy/prev")
add("exported-wrong-hash", [j({"position": 11, "version": 1, "stream": G5, "type": "GoalDefined", "effective": "2021-03-02",
    "actor": A, "id": "h-exp", "data": {"plan": PLAN, "title": "Mål 5"}, "recorded": "2099-01-01T00:00:00.000000Z",
    "recordedBy": "root", "prev": "0" * 64, "hash": "ab" * 32})], 1,
    "exported line (all five members) whose prev/hash do not verify")
add("exported-recorded-only", [P_THEME, j(ev(G5, "GoalDefined", "2021-03-02", A, goal5(), recorded="2021-03-02T00:00:00.000000Z"))], 2,
    "input line carrying only recorded (a backdating attempt)")
add("foreign-theme", [j(ev("ballerup/klima-2022", "PlanDrafted", "2022-01-01", A, {"organization": KB, "kind": "plan", "title": "Klimaplan"})),
    j(ev("ballerup/klima-2022/energi", "ThemeAdded", "2022-01-01", A, {"plan": "ballerup/klima-2022", "title": "Energi"})),
    j(ev(G5, "GoalDefined", "2022-01-02", A, goal5(theme="ballerup/klima-2022/energi")))], 3,
    "GoalDefined in erhverv-2021 with a theme of plan klima-2022")
add("before-creation", [P_THEME, P_GOAL, j(ev(GOAL, "GoalRevised", "2020-01-01", KB, {"title": "Før tid"}))], 3,
    "GoalRevised effective 2020-01-01, before the goal was created (2021-03-01)")
add("unlink-not-linked", [P_THEME, P_LINK, j(ev(GOAL, "Unlinked", "2022-01-01", KB, {"to": "sdg:5"}))], 3,
    "Unlinked of a target that is not linked")
add("link-bad-target", [P_THEME, j(ev(GOAL, "Linked", "2022-01-01", KB, {"to": "Mål 11 i FN"}))], 2,
    "Linked to something that is neither an entity id nor scheme:value")

# ---------- found by fuzzing (fuzz/run.sh) ----------
# The fuzzer slowed to a crawl on wide objects: duplicate member names were found
# by comparing each name with every earlier one, so a line of 40,000 members took
# 50 s to reject. These keep the hashed check honest past its threshold.
WIDE = ",".join('"k%d":0' % i for i in range(5000))
add("wide-object-duplicate", [P_THEME, "{" + WIDE + ',"k17":1}'], 2,
    "object of 5,001 members whose last name repeats the 18th (found by fuzzing: a quadratic duplicate check)")
add("wide-data-duplicate", [P_THEME, P_GOAL, VALID_G5.replace('"label":"Mål 5"}', '"label":"Mål 5",' + WIDE.replace("k", "x") + ',"x4999":1}')], 3,
    "data object of 5,005 members whose last name repeats the one before it")
add("deep-nesting", [P_THEME, VALID_G5.replace('"title":"Flere grønne virksomheder"', '"title":' + "[" * 40 + "]" * 40)], 2,
    "title nested 40 arrays deep (the parser stops at 32 levels, never the stack)")

# write
import glob
for f in glob.glob(os.path.join(OUT, "[0-9][0-9]*-*.ndjson")):
    os.remove(f)
rows = []
for i, (name, lines, badline, desc, nl, sep) in enumerate(cases, 1):
    fn = "%02d-%s.ndjson" % (i, name) if len(cases) < 100 else "%03d-%s.ndjson" % (i, name)
    bl = [l if isinstance(l, bytes) else (l if isinstance(l, str) else j(l)).encode() for l in lines]
    data = sep.encode().join(bl) + (sep.encode() if nl else b"")
    with open(os.path.join(OUT, fn), "wb") as fh:
        fh.write(data)
    rows.append("%s\t%d\t%s" % (fn, badline, desc))
with open(os.path.join(OUT, "manifest.tsv"), "w") as fh:
    fh.write("file\tline\tdescription\n" + "\n".join(rows) + "\n")
print(len(cases), "cases")
