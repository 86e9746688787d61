"""A real CalDAV client (the PyPI `caldav` package) and a CardDAV client built from
`requests` and `vobject` against a running Cartera, checking each side against the
JSON API. Run by the `dav::real_clients_sync_both_ways` test:

    python3 dav_client.py BASE_URL EMAIL TOKEN

Prints one line per step; any failed check raises (a non-zero exit fails the test).
"""

import datetime
import sys
import xml.etree.ElementTree as ET

import zoneinfo

import caldav
import icalendar
import requests
import vobject

BASE, EMAIL, TOKEN = sys.argv[1:4]
UTC = datetime.timezone.utc


def api(method, path, **kw):
    r = requests.request(
        method, BASE + path, headers={"Authorization": "Bearer " + TOKEN}, timeout=30, **kw
    )
    assert r.status_code < 300, (method, path, r.status_code, r.text)
    return r.json() if r.text else None


def step(text):
    print("ok:", text, flush=True)


def activity_named(subject):
    rows = api("GET", "/api/v1/activities", params={"filter[subject]": subject})["data"]
    assert len(rows) == 1, (subject, rows)
    return rows[0]


# --- CalDAV with the caldav package ----------------------------------------------
client = caldav.DAVClient(url=BASE + "/.well-known/caldav", username=EMAIL, password=TOKEN)
principal = client.principal()
calendars = principal.calendars()
assert len(calendars) == 1, calendars
cal = calendars[0]
step("discovered the calendar at " + str(cal.url))

initial = cal.objects_by_sync_token(load_objects=True)
assert len(list(initial)) == 0, list(initial)
token0 = initial.sync_token
step("initial sync: empty, token " + str(token0))

# The client creates an event: it shows on the rep's agenda through the API.
cal.save_event(
    dtstart=datetime.datetime(2026, 12, 3, 12, 0, tzinfo=UTC),
    dtend=datetime.datetime(2026, 12, 3, 13, 30, tzinfo=UTC),
    summary="Almuerzo desde el cliente",
    uid="client-made-1",
)
a = activity_named("Almuerzo desde el cliente")
assert a["starts_at"] == "2026-12-03T12:00:00Z", a
assert a["ends_at"] == "2026-12-03T13:30:00Z", a
step("client event is on the agenda: " + a["id"])

# An activity made through the API shows on the client.
me = api("GET", "/api/v1/users/me")
made = api(
    "POST",
    "/api/v1/activities",
    json={
        "kind": "visit",
        "subject": "Visita creada en Cartera",
        "starts_at": "2026-12-04T15:00:00Z",
        "ends_at": "2026-12-04T16:00:00Z",
        "owner_id": me["id"],
    },
)
found = cal.search(
    start=datetime.datetime(2026, 12, 4, tzinfo=UTC),
    end=datetime.datetime(2026, 12, 5, tzinfo=UTC),
    event=True,
)
summaries = [str(e.icalendar_component.get("summary")) for e in found]
assert summaries == ["Visita creada en Cartera"], summaries
step("API activity found by a time-range search on the client")

# sync-collection from the first token: exactly the two new items.
changes = cal.objects_by_sync_token(sync_token=token0, load_objects=True)
got = sorted(str(o.icalendar_component.get("summary")) for o in changes)
assert got == ["Almuerzo desde el cliente", "Visita creada en Cartera"], got
token1 = changes.sync_token
step("sync since the first token returns the two changes")

# An edit on the client reaches Cartera.
ev = cal.event_by_uid("client-made-1")
ev.icalendar_component["summary"] = "Almuerzo movido"
ev.icalendar_component["dtstart"].dt = datetime.datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
ev.icalendar_component["dtend"].dt = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
ev.save()
moved = api("GET", "/api/v1/activities/" + a["id"])
assert moved["subject"] == "Almuerzo movido", moved
assert moved["starts_at"] == "2026-12-03T14:00:00Z", moved
step("client edit reached Cartera")

# An edit in Cartera reaches the client, and sync returns only it.
changes = cal.objects_by_sync_token(sync_token=token1, load_objects=True)
# (The client's own edit shows once; then Cartera's edit alone.)
token2 = changes.sync_token
api("PATCH", "/api/v1/activities/" + made["id"], json={"subject": "Visita confirmada"})
changes = cal.objects_by_sync_token(sync_token=token2, load_objects=True)
got = [str(o.icalendar_component.get("summary")) for o in changes]
assert got == ["Visita confirmada"], got
step("Cartera edit reached the client; sync returned only it")

# Deleted on the client: in Cartera's trash.
cal.event_by_uid("client-made-1").delete()
r = requests.get(
    BASE + "/api/v1/activities/" + a["id"], headers={"Authorization": "Bearer " + TOKEN}
)
assert r.status_code == 404, r.status_code
step("client delete moved the activity to the trash")


# A weekly series made on the client (as Thunderbird writes it: DTSTART in a zone, an
# RRULE and one date taken out): each occurrence is on the agenda, and the client reads
# the rule back intact.
WEEKLY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
BEGIN:VEVENT
UID:client-weekly-1
DTSTAMP:20261001T000000Z
SUMMARY:Reunión de equipo
DTSTART;TZID=Europe/Madrid:20261013T100000
DTEND;TZID=Europe/Madrid:20261013T110000
RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=TU
EXDATE;TZID=Europe/Madrid:20261027T100000
END:VEVENT
END:VCALENDAR
"""
cal.save_event(WEEKLY)
series = activity_named("Reunión de equipo")
assert series["recurrence"]["time_zone"] == "Europe/Madrid", series
agenda = api(
    "GET",
    "/api/v1/agenda",
    params={"from": "2026-10-01", "to": "2026-11-30", "time_zone": "Europe/Madrid"},
)["data"]
starts = [e["starts_at"] for e in agenda if e["subject"] == "Reunión de equipo"]
assert starts == [
    "2026-10-13T08:00:00Z",
    "2026-10-20T08:00:00Z",
    "2026-11-03T09:00:00Z",
    "2026-11-10T09:00:00Z",
    "2026-11-17T09:00:00Z",
], starts
step("weekly series from the client: %d occurrences on the agenda" % len(starts))

back = cal.event_by_uid("client-weekly-1").icalendar_component
rule = back["rrule"]
assert rule["FREQ"] == ["WEEKLY"] and rule["COUNT"] == [6] and rule["BYDAY"] == ["TU"], rule
start = back["dtstart"].dt
assert str(start.tzinfo) in ("Europe/Madrid",) or getattr(start.tzinfo, "key", "") == "Europe/Madrid", start
assert (start.hour, start.minute) == (10, 0), start
ex = back["exdate"]
ex = ex if isinstance(ex, list) else [ex]
taken = [d.dt for e in ex for d in e.dts]
assert len(taken) == 1 and (taken[0].month, taken[0].day, taken[0].hour) == (10, 27, 10), taken
step("the client reads the series back: RRULE " + rule.to_ical().decode() + ", DTSTART in Europe/Madrid, EXDATE kept")

# The client's time-range search finds the series by an occurrence in the range.
found = cal.search(
    start=datetime.datetime(2026, 11, 10, tzinfo=UTC),
    end=datetime.datetime(2026, 11, 11, tzinfo=UTC),
    event=True,
)
assert "Reunión de equipo" in [str(e.icalendar_component.get("summary")) for e in found], found
step("a time-range search finds the series")

# A rule that makes no sense is refused, and nothing is written.
try:
    cal.save_event(WEEKLY.replace("client-weekly-1", "client-weekly-bad").replace("COUNT=6", "COUNT=0"))
    raise AssertionError("a COUNT=0 series was accepted")
except caldav.lib.error.PutError as e:
    assert "400" in str(e) or "recurrence" in str(e), e
rows = api("GET", "/api/v1/activities", params={"filter[subject]": "Reunión de equipo"})["data"]
assert len(rows) == 1, rows
step("a bad RRULE is refused with nothing written")

# The client moves one occurrence (an override with RECURRENCE-ID in the same object):
# Cartera's agenda shows it at its new time and not at the old one.
MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
obj = cal.event_by_uid("client-weekly-1")
with obj.edit_icalendar_instance() as ical:
    ov = icalendar.Event()
    ov.add("uid", "client-weekly-1")
    ov.add("dtstamp", datetime.datetime(2026, 10, 2, tzinfo=UTC))
    ov.add("recurrence-id", datetime.datetime(2026, 11, 10, 10, 0, tzinfo=MADRID))
    ov.add("dtstart", datetime.datetime(2026, 11, 12, 16, 0, tzinfo=MADRID))
    ov.add("dtend", datetime.datetime(2026, 11, 12, 17, 0, tzinfo=MADRID))
    ov.add("summary", "Reunión de equipo")
    ical.add_component(ov)
obj.save()
agenda = api(
    "GET",
    "/api/v1/agenda",
    params={"from": "2026-10-01", "to": "2026-11-30", "time_zone": "Europe/Madrid"},
)["data"]
starts = [e["starts_at"] for e in agenda if e["subject"] == "Reunión de equipo"]
assert "2026-11-12T15:00:00Z" in starts and "2026-11-10T09:00:00Z" not in starts, starts
step("the client moved one occurrence: on Cartera's agenda at its new time only")

# Cartera moves another occurrence; the client reads it back as an override.
api(
    "PATCH",
    "/api/v1/activities/%s/occurrences/2026-11-03T09:00:00Z" % series["id"],
    json={"starts_at": "2026-11-04T09:00:00Z"},
)
back = cal.event_by_uid("client-weekly-1").get_icalendar_instance()
events = [c for c in back.walk("VEVENT")]
masters = [e for e in events if e.get("recurrence-id") is None]
overrides = {e["recurrence-id"].dt.astimezone(UTC): e["dtstart"].dt.astimezone(UTC) for e in events if e.get("recurrence-id") is not None}
assert len(masters) == 1 and masters[0].get("rrule") is not None, back.to_ical()
want = {
    datetime.datetime(2026, 11, 10, 9, 0, tzinfo=UTC): datetime.datetime(2026, 11, 12, 15, 0, tzinfo=UTC),
    datetime.datetime(2026, 11, 3, 9, 0, tzinfo=UTC): datetime.datetime(2026, 11, 4, 9, 0, tzinfo=UTC),
}
assert overrides == want, overrides
step("Cartera moved another occurrence: the client reads %d overrides" % len(overrides))

# --- CardDAV with requests + vobject ------------------------------------------------
D = "{DAV:}"
CARD = "{urn:ietf:params:xml:ns:carddav}"
auth = (EMAIL, TOKEN)


def dav(method, url, body=None, headers=None):
    h = {"Content-Type": "application/xml; charset=utf-8"}
    h.update(headers or {})
    r = requests.request(method, url, data=body, headers=h, auth=auth, timeout=30, allow_redirects=True)
    return r


def absolute(href):
    return href if href.startswith("http") else BASE + href


# Discovery as a client does it: well-known, principal, home, address book.
r = dav(
    "PROPFIND",
    BASE + "/.well-known/carddav",
    '<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>',
    {"Depth": "0"},
)
assert r.status_code == 207, r.text
principal_href = ET.fromstring(r.content).find(f".//{D}current-user-principal/{D}href").text
r = dav(
    "PROPFIND",
    absolute(principal_href),
    '<d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><card:addressbook-home-set/></d:prop></d:propfind>',
    {"Depth": "0"},
)
home = ET.fromstring(r.content).find(f".//{CARD}addressbook-home-set/{D}href").text
r = dav("PROPFIND", absolute(home), '<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>', {"Depth": "1"})
book = None
for resp in ET.fromstring(r.content).findall(f"{D}response"):
    if resp.find(f".//{D}resourcetype/{CARD}addressbook") is not None:
        book = resp.find(f"{D}href").text
assert book, r.text
step("discovered the address book at " + book)


def sync(token):
    body = (
        '<d:sync-collection xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">'
        f"<d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>"
        "<d:prop><d:getetag/><card:address-data/></d:prop></d:sync-collection>"
    )
    r = dav("REPORT", absolute(book), body)
    assert r.status_code == 207, r.text
    root = ET.fromstring(r.content)
    cards, gone = {}, []
    for resp in root.findall(f"{D}response"):
        href = resp.find(f"{D}href").text
        data = resp.find(f".//{CARD}address-data")
        if data is not None:
            cards[href] = vobject.readOne(data.text)
        else:
            gone.append(href)
    return cards, gone, root.find(f"{D}sync-token").text


cards, gone, ctoken0 = sync("")
step("address book initial sync: %d cards" % len(cards))

# A card made on the client becomes a contact.
card = vobject.vCard()
card.add("uid").value = "client-card-1"
card.add("n").value = vobject.vcard.Name(family="Gómez", given="Beto")
card.add("fn").value = "Beto Gómez"
card.add("email").value = "beto@example.com"
card.add("tel").value = "+54 9 11 5555-0000"
r = requests.put(
    absolute(book) + "client-card-1.vcf",
    data=card.serialize().encode(),
    headers={"Content-Type": "text/vcard; charset=utf-8", "If-None-Match": "*"},
    auth=auth,
)
assert r.status_code == 201, (r.status_code, r.text)
rows = api("GET", "/api/v1/contacts", params={"filter[last_name]": "Gómez"})["data"]
assert len(rows) == 1 and rows[0]["emails"][0]["address"] == "beto@example.com", rows
beto = rows[0]
step("client card is a contact: " + beto["id"])

# A contact made in Cartera shows on the client; sync lists only the changes.
lucia = api(
    "POST",
    "/api/v1/contacts",
    json={"first_name": "Lucía", "last_name": "Fernández", "emails": [{"address": "lucia@acme.com.ar"}], "owner_id": me["id"]},
)
cards, gone, ctoken1 = sync(ctoken0)
names = sorted(c.fn.value for c in cards.values())
assert names == ["Beto Gómez", "Lucía Fernández"], names
step("sync since the first token: the two new cards")

# An edit on each side reaches the other.
r = dav("GET", absolute(book) + "client-card-1.vcf")
etag = r.headers["ETag"]
edited = vobject.readOne(r.text)
for old in edited.contents.get("title", []):
    edited.remove(old)
edited.add("title").value = "Gerente"
r = requests.put(
    absolute(book) + "client-card-1.vcf",
    data=edited.serialize().encode(),
    headers={"Content-Type": "text/vcard; charset=utf-8", "If-Match": etag},
    auth=auth,
)
assert r.status_code == 204, (r.status_code, r.text)
assert api("GET", "/api/v1/contacts/" + beto["id"])["job_title"] == "Gerente"
cards, gone, ctoken2 = sync(ctoken1)
api("PATCH", "/api/v1/contacts/" + lucia["id"], json={"job_title": "Compras"})
cards, gone, ctoken3 = sync(ctoken2)
assert [c.fn.value for c in cards.values()] == ["Lucía Fernández"], cards
assert [c.title.value for c in cards.values()] == ["Compras"]
step("edits on both sides crossed; sync returned only Cartera's")

# A contact search on the phone (addressbook-query with a text-match on EMAIL) gets the
# matching contact only.
q = (
    '<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">'
    "<d:prop><d:getetag/><card:address-data/></d:prop>"
    '<card:filter><card:prop-filter name="EMAIL">'
    '<card:text-match collation="i;unicode-casemap" match-type="contains">ACME.COM</card:text-match>'
    "</card:prop-filter></card:filter></card:addressbook-query>"
)
r = dav("REPORT", absolute(book), q, {"Depth": "1"})
assert r.status_code == 207, r.text
found = [vobject.readOne(d.text).fn.value for d in ET.fromstring(r.content).iter(f"{CARD}address-data")]
assert found == ["Lucía Fernández"], found
step("addressbook-query by EMAIL returns the matching contact only")

# A stale ETag is refused.
r = requests.put(
    absolute(book) + "client-card-1.vcf",
    data=edited.serialize().encode(),
    headers={"Content-Type": "text/vcard; charset=utf-8", "If-Match": etag},
    auth=auth,
)
assert r.status_code == 412, r.status_code
print("all checks passed", flush=True)
