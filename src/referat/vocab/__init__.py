"""Vocabularies of the genre, kept as data in one place.

Danish municipalities write the same things in different words. Every phrase,
section name and number shape the parser recognises lives here, each with a
real example of where it is seen, so that supporting a new meeting system means
adding a line here rather than changing parser code.

Patterns are matched case-insensitively against whole normalized lines unless
said otherwise. The figures that series read (budget tables, complaint reports)
have their own vocabulary beside this one: referat.vocab.series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    """One vocabulary entry: a regular expression, what it means, and a real example."""

    pattern: str
    meaning: str
    example: str

    def compile(self, flags: int = re.IGNORECASE) -> re.Pattern[str]:
        return re.compile(self.pattern, flags)


# --- Document kind -----------------------------------------------------------------------

KIND_WORDS: dict[str, str] = {
    # "REFERAT Beskæftigelses- og Integrationsudvalget 2022-2025 d. 04-06-2025"
    "referat": "minutes",
    # "Beslutningsprotokol Økonomiudvalget 18.09.2023" (some systems call the minutes so)
    "beslutningsprotokol": "minutes",
    # "Protokol for mødet i Byrådet" (older archives)
    "protokol": "minutes",
    # "DAGSORDEN Økonomiudvalget 18. september 2023"
    "dagsorden": "agenda",
    # "DAGSORDEN OG REFERAT" / "Dagsorden med beslutninger" (one document for both, after the meeting)
    "dagsorden og referat": "minutes",
    "dagsorden med beslutninger": "minutes",
    "referat og dagsorden": "minutes",
}

# The municipality a document names: "Gladsaxe Kommune", "Ringkøbing-Skjern Kommune"
MUNICIPALITY = Entry(r"\b(?P<name>[A-ZÆØÅ][a-zæøå]+(?:-[A-ZÆØÅ][a-zæøå]+)?s?) Kommune\b",
                     "municipality name", "Gladsaxe Kommune")

# A line that is only a body's name: "Økonomiudvalget", "Børne- og Skoleudvalget", "Byrådet"
COMMITTEE_NAME = Entry(r"^(?:[A-ZÆØÅ][\w\- ,]*?(?:udvalg(?:et)?|råd(?:et)?|bestyrelse(?:n)?|kommunalbestyrelse(?:n)?|"
                       r"forum|nævn(?:et)?|komité(?:en)?|gruppe(?:n)?)|Udvalg(?:et)? for [\w\- ,]+)$",
                       "committee name alone on a line", "Økonomiudvalget; Børne- og Skoleudvalget; Byrådet; "
                       "Udvalget for Natur, Plan og Miljø; Mødesystemgruppen (SBSYS, Aarhus 2016)")
# A title line that ends with the document kind: "Sundheds- og Forebyggelsesudvalget - Referat"
TITLE_KIND_LAST = Entry(r"^(?P<rest>[A-ZÆØÅ][^:]{2,100}?)\s*[-–,:]\s*(?P<kind>dagsorden\s+og\s+referat|"
                        r"dagsorden\s+med\s+beslutninger|referat|dagsorden|beslutningsprotokol)$",
                        "the committee first, the kind last", "Sundheds- og Forebyggelsesudvalget - Referat")

# An unlabelled place line under an unlabelled date line: short, no full stop, no date
PLACE_LINE = Entry(r"^(?=.{3,80}$)[A-ZÆØÅ][^.:\d]*(?:\d+[^.:\d]*)?$", "meeting place without a label",
                   "Rådhuset, Udvalgsværelse C")
# A number in front of a table-of-contents title: "38 Godkendelse af dagsorden", "3. Budget"
TOC_NUMBER = re.compile(r"^\d{1,4}\.?\s+(?=[A-ZÆØÅ])")

# --- Meeting header fields ("Mødedato Tirsdag d. 30. november 2021 kl. 16:30") ----------------

HEADER_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("mødedato", "dato", "tidspunkt", "mødetidspunkt", "mødetid", "tid", "afholdt", "starttidspunkt",
             "mødestart"),
    "location": ("mødested", "sted", "mødelokale"),
    "participants": ("mødedeltagere", "deltagere", "medlemmer", "til stede", "tilstede"),
    "absent": ("afbud", "fraværende", "fravær", "ikke til stede", "afbud/fravær", "afbud / fravær", "fravær/afbud"),
    "committee": ("udvalg", "forum", "organ"),
    # "Stedfortrædere: Ole Mikkelsen (V) for Jens Kristian Lund, Lise Thorsen (A) for Hanne Boe"
    "substitutes": ("stedfortrædere", "stedfortræder"),
    # read so that it is not reported as an unknown header line; the record has no end time
    "end": ("mødeafslutning", "mødet sluttede", "mødet slut", "sluttidspunkt"),
    # a remark on the meeting ("Bemærk:", SBSYS, Aarhus 2016): header text with no field of its own
    "remark": ("bemærk", "bemærkning", "bemærkninger"),
}

# One pair of a header's substitute list: "Ole Mikkelsen (V) for Jens Kristian Lund"
SUBSTITUTE_PAIR = Entry(r"^(?P<sub>[A-ZÆØÅ].+?)\s+(?:i stedet for|for)\s+(?P<for>[A-ZÆØÅ].+)$",
                        "substitute for member, in a header list", "Ole Mikkelsen (V) for Jens Kristian Lund")
# A body named by its meeting on a header line of its own: "Byrådets møde", "Økonomiudvalgets ordinære møde"
COMMITTEE_MEETING_LINE = Entry(
    r"^(?P<body>[A-ZÆØÅ][\w\- ,]*?(?:udvalg(?:et)?|råd(?:et)?|bestyrelse(?:n)?|nævn(?:et)?|forum|komité(?:en)?))s"
    r"\s+(?:ordinære\s+|ekstraordinære\s+)?møde$", "the body's meeting, genitive", "Byrådets møde (Aarhus)")

# "REFERAT Beskæftigelses- og Integrationsudvalget - 2016-2021 d. 30-11-2021"
# "REFERAT Beskæftigelses- og Integrationsudvalget 2022-2025 d. 02-03-2022"
TITLE_LINE = Entry(
    r"^(?P<kind>dagsorden\s+og\s+referat|dagsorden\s+med\s+beslutninger|referat\s+og\s+dagsorden|referat|dagsorden|"
    r"beslutningsprotokol|protokol)\b[\s:\-–]*(?P<rest>.*)$",
    "document title line: kind, committee, election period, date",
    "REFERAT Beskæftigelses- og Integrationsudvalget - 2016-2021 d. 30-11-2021",
)
# Words around the committee name in a title line: "Referat af mødet i Byrådet den 25. september 2024"
TITLE_COMMITTEE_PREFIX = re.compile(
    r"^(?:(?:af|fra|for)\s+)?(?:(?:det\s+)?(?:ordinære\s+)?møde(?:t)?\s+(?:i|for)\s+)?", re.IGNORECASE)
# "Referat af Økonomiudvalgets møde den …": the body's name without the genitive and "møde"
TITLE_COMMITTEE_SUFFIX = re.compile(r"s?\s+(?:ordinære\s+|ekstraordinære\s+)?møde$", re.IGNORECASE)
TITLE_DATE_TAIL = re.compile(r"\s*(?:\b(?:den|d\.)\s*)?$", re.IGNORECASE)
ELECTION_PERIOD = re.compile(r"\b((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b")
# A column header row at the top of a table of contents: "Punkt	Titel	Side"
# "Punkter til dagsorden	Side" (Glostrup, Word)
TOC_HEADER_ROW = re.compile(r"^(?:(?:punkt|pkt\.?|sag|nr\.?)\s+)?(?:titel|emne|overskrift|dagsordenspunkt|"
                            r"punkter til dagsorden)\s+(?:side|s\.)$", re.IGNORECASE)
TOC_HEADING = Entry(
    r"^(indholdsfortegnelse|indhold|dagsordenpunkter|punkter på dagsordenen|oversigt)\s*:?$",
    "table of contents",
    "Indholdsfortegnelse",
)

# --- Agenda item headings --------------------------------------------------------------------
# A *strong* heading is an item on its own; a *weak* one (a bare number) must be confirmed by
# a case-number line right after it or by a matching table-of-contents entry.

ITEM_HEADINGS_STRONG: tuple[Entry, ...] = (
    Entry(r"^(?:punkt|pkt\.?|dagsordenspunkt|dagsordenpunkt)\s*(?P<number>\d{1,4}(?:\.\d{1,2}(?![\d.])|[a-z](?![\wæøå]))?)"
          r"(?![/\d])\s*[:.,)\-–]?\s*(?P<title>.*)$",
          "item heading with the word Punkt/Pkt.", "Punkt 1: Budgetbidrag 2026-2026 for Beskæftigelses- og "
          "Integrationsudvalget; Pkt. 42 Godkendelse af dagsorden; Punkt 2, Forslag til ny trafikplan (Aarhus)"),
    Entry(r"^(?:sag nr\.?|sagnr\.?|sag)\s*(?P<number>\d{1,4})(?![/\d.\-])\s*[:.)\-–]?\s*(?P<title>.*)$",
          "item heading with Sag nr.", "Sag nr. 162 Budgetopfølgning pr. 31. august; Sag 12: Budget"),
)
ITEM_HEADINGS_WEAK: tuple[Entry, ...] = (
    Entry(r"^[•·▪◦]\s*(?P<number>\d{1,4})\s*[.):]?\s+(?P<title>\S.*)$",
          "bulleted number", "• 301. Godkendelse af dagsorden"),
    Entry(r"^(?P<number>\d{1,4})\s*[.)]\s+(?P<title>[A-ZÆØÅ\"'«„].*|\((?:[Åå]|[Åå]ben|[Åå]bent|[Ll]|[Ll]ukket)\)\s*\S.*)$",
          "plain number with a dot", "12. Orientering om status på ungeindsatsen; 3. (Å) Godkendelse af regnskab"),
    Entry(r"^(?P<number>\d{1,4})\s+[-–]\s+(?P<title>[A-ZÆØÅ].*)$", "number, dash, title",
          "3 - Godkendelse af regnskab"),
    Entry(r"^(?P<number>\d{1,4})\.(?P<title>)$", "the number alone, the title on the next line", "3."),
    Entry(r"^(?P<number>\d{1,4})(?P<title>[A-ZÆØÅ][a-zæøå].*)$",
          "number glued to the title", "38Godkendelse af dagsorden"),
    Entry(r"^(?P<number>\d{1,4})(?:[ \u00a0]+|\t)(?P<title>[A-ZÆØÅ][^\t]*)$",
          "number and title without a dot (a column gap between them too)",
          "38 Godkendelse af dagsorden; 3   Eventuelt (SBSYS, Aarhus 2016)"),
    Entry(r"^(?P<number>\d{1,3}\.\d{1,2})\.?(?:[ \u00a0]+|\t)(?P<title>[A-ZÆØÅ][^\t]*)$",
          "a sub-item under a numbered item, its number kept as printed", "1.1 Status siden sidst (SBSYS, Aarhus 2016)"),
    Entry(r"^(?P<number>\d{1,4}[a-z])[.)]?(?:[ \u00a0]+|\t)(?P<title>[A-ZÆØÅ][^\t]*)$",
          "an item number with a letter, inserted after the agenda was sent", "38a Tillægsdagsorden: Salg af grund"),
)
# "Lukket: Lukkede meddelelser", "Lukket punkt: Personalesag", "Lukket"
CLOSED_TITLE = Entry(r"^(?:(?:lukket(?:\s+(?:punkt|sag))?|fortroligt)\s*[:\-–]|\((?:l|lukket)(?:\s+(?:punkt|sag))?\))"
                     r"\s*(?P<title>.+)$", "closed item marker before the title",
                     "Lukket: Lukkede meddelelser; Lukket sag: Grundsalg; (L) Personalesag")
CLOSED_WHOLE = Entry(r"^(?:lukket(?:\s+(?:punkt|sag))?|fortroligt|lukket dagsordenspunkt)$",
                     "a closed item whose whole title is the marker, or the marker on its own line under the "
                     "title", "Lukket; Lukket sag (eDagsorden, under the item heading)")
# eDagsorden prints the item's status on its own line under the heading: "Åben sag" is no title line
OPEN_WHOLE = Entry(r"^(?:åben|åbent)\s+(?:sag|punkt)$", "open item marker on its own line", "Åben sag")
# Group headings between items ("A. Sager til afgørelse i byrådet"), repeated by eDagsorden under each
# item heading: neither title nor decision text
ITEM_GROUP = Entry(r"^(?:[A-H]\.\s+)?(?:sager?\s+til\s+(?:afgørelse|beslutning|orientering|drøftelse|udtalelse)"
                   r"(?:\s+i\s+\S+)?|orienteringssager|beslutningssager|lukkede\s+sager|åbne\s+sager)$",
                   "group heading between items", "A. Sager til afgørelse i byrådet; B. Sager til afgørelse i udvalget")
# "(Lukket punkt)" after a title, as some systems print it
CLOSED_SUFFIX = Entry(r"^(?P<title>.+?)\s*(?:[-–]\s*)?\((?:lukket(?: punkt| sag)?|for lukkede døre)\)$",
                      "closed marker after the title", "Personalesag (Lukket punkt); Orientering fra borgmesteren - "
                      "(FOR LUKKEDE DØRE) (Glostrup)")
# The open marker, before or after the title: not part of it ("Budget 2025 (Åben)", "Åben sag: Regnskab 2023")
OPEN_TITLE = Entry(r"^(?:(?:(?:åben|åbent)(?:\s+(?:punkt|sag))?\s*[:\-–]|\((?:å|åben|åbent)(?:\s+(?:punkt|sag))?\))"
                   r"\s*(?P<title>.+)|"
                   r"(?P<before>.+?)\s*\((?:åben|åbent)(?: punkt| sag)?\))$", "open marker around the title",
                   "Budget 2025 (Åben); Åben sag: Regnskab 2023; (Åben) Godkendelse af regnskab")

# --- Case numbers ----------------------------------------------------------------------------

# Named groups give the parts (referat.cases): yy/year, seq, kle, facet, prefix.
CASE_NUMBER_SHAPES: tuple[Entry, ...] = (
    Entry(r"(?P<yy>\d{2})-(?P<seq>\d{1,7})-(?P<kle>\d{2}\.\d{2}\.\d{2})-(?P<facet>[A-ZÆØÅ]\d{2})",
          "year-sequence-KLE-facet (Gladsaxe, SBSYS)", "21-7-85.10.00-P07; 22-159055-00.00.00-A00"),
    Entry(r"(?P<kle>\d{2}\.\d{2}\.\d{2})-(?P<facet>[A-ZÆØÅ]\d{2})-(?P<seq>\d{1,7})-(?P<yy>\d{2})",
          "KLE-facet-sequence-year (Acadre, eDoc)", "00.22.00-G01-1-16"),
    Entry(r"(?P<prefix>[A-ZÆØÅ]{2,5})-(?P<year>\d{4})-(?P<seq>\d{3,8})", "system prefix-year-sequence (WorkZone, F2)",
          "EMN-2025-010561"),
    Entry(r"(?P<year>(?:19|20)\d{2})/(?P<seq>\d{3,7})", "year/sequence journal number (older ESDH)", "2013/02537"),
    Entry(r"(?P<year>(?:19|20)\d{2})-(?P<seq>\d{5,7})", "year-sequence (København, eDoc)", "2022-0045217"),
    Entry(r"(?P<yy>\d{2})/(?P<seq>\d{3,7})", "two-digit year/sequence", "24/012345"),
    Entry(r"(?P<yy>\d{2})-(?P<seq>\d{6})", "two-digit year-sequence (the common publication system, Greve)",
          "21-014439"),
)
_UNNAMED = re.compile(r"\(\?P<\w+>")
CASE_NUMBER = re.compile(r"(?<![\w.\-/])(?:" + "|".join(_UNNAMED.sub("(?:", e.pattern) for e in CASE_NUMBER_SHAPES)
                         + r")(?![\w/])")
# "Bilag 2. LBR budgetønsker 2014": the attachment's number, to recognise a list printed twice
ATTACHMENT_NUMBER = Entry(r"^bilag\s*(\d+)", "attachment number", "Bilag 2. LBR budgetønsker 2014")
# a Bilag section that says there are none
NO_ATTACHMENTS = Entry(r"^(?:ingen(?: bilag)?|-|–|intet|ikke relevant)\.?$", "no attachments", "Bilag: Ingen")
# labels that may precede a case number on its line
CASE_LABEL = Entry(r"^(?:(?:acadre|sbsys|edoc|esdh|workzone|captia|docunote|nova|get organized)[\s\-]+)?"
                   r"(?:sagsnr\.?\s+i\s+(?:esdh|acadre|sbsys|edoc|workzone)|sagsnr|sags nr|sagsnummer|sagsid|sags-id|sag id|j\.?\s?nr|journalnr|journal nr|"
                   r"journalnummer|esdh-nr|sag|dok\.?nr|emne)\.?\s*:?\s*", "case number label, the ESDH system's name "
                   "first or not", "Sagsnr.: 23/08812; J.nr. 2013/02537; Sagsid: 00.01.00-A00-1-24; "
                   "SBSYS sagsnr.: 24-3-85.10.00-P07; Acadre sagsnr.: 24/1234; Sagsnr. i ESDH: 25/23642 (Glostrup)")

# --- Section headings inside an item ---------------------------------------------------------
# A short line set wholly in capitals, standing for a heading the vocabulary does not know: print layouts
# set every section heading in upper case ("SAGSPROCEDURE", "ØVRIGE FORHOLD"); no digits, no end
# punctuation, at most six words, one of them of four letters or more ("A, F OG Ø" is a list of parties)
CAPS_HEADING = Entry(r"^(?=.*[A-ZÆØÅ]{4})[A-ZÆØÅÉÜ][A-ZÆØÅÉÜ\-/&]*(?:\s+[A-ZÆØÅÉÜ0-9\-/&.,§]+){0,15}:?$",
                     "an upper-case section heading not in the vocabulary (Aarhus prints long ones)",
                     "SAGSPROCEDURE; ØVRIGE FORHOLD; BESLUTNINGSFORSLAG FRA ENHEDSLISTEN OM GRATIS BUSSER FOR UNGE "
                     "UNDER 18 ÅR")
# role -> entries. The role tells the field extractors where to look; the printed heading is
# kept verbatim in the record's sections.

SECTION_HEADINGS: dict[str, tuple[Entry, ...]] = {
    "decision": (
        Entry(r"beslutning(?:er)?(?:\s+(?:(?:i|på|fra)\s+)?(?P<body>[A-ZÆØÅ].+?))?(?:\s+(?:den|d\.)\s+(?P<date>[\d.\-/ a-zæøå]+))?",
              "the decision (optionally of a named body on a date)",
              "Beslutning; Beslutninger; Beslutning i Økonomiudvalget den 18-09-2024; "
              "Beslutning Økonomiudvalget den 12-03-2024"),
        Entry(r"(?:udvalgets|byrådets|kommunalbestyrelsens|økonomiudvalgets)\s+beslutning",
              "the decision, named by body", "Udvalgets beslutning"),
        Entry(r"afgørelse", "decision (older minutes)", "Afgørelse"),
        Entry(r"referat(?=\s*:)", "the minute of the item, with its colon (a bare 'Referat' is the document's "
              "title; SBSYS, Aarhus 2016)", "Referat: Alle skal have indhold."),
    ),
    "announcement": (
        Entry(r"meddelelse(?:r)?", "announcements; its text stands as the item's decision", "Meddelelse"),
    ),
    "recommendation": (
        Entry(r"indstilling(?:er)?(?:\s+(?:fra|til)\s+.+)?", "the administration's recommendation",
              "Indstilling"),
        Entry(r"forslag til beslutning", "recommendation (proposal form)", "Forslag til beslutning"),
        Entry(r"indstilling og beslutning|anbefaling|forvaltningens anbefaling|administrationens anbefaling",
              "recommendation, other names", "INDSTILLING OG BESLUTNING"),
        Entry(r"direktionens indstilling|forvaltningens indstilling|administrationens indstilling",
              "recommendation, named by its author", "Forvaltningens indstilling"),
    ),
    "case": (
        Entry(r"sagsfremstilling", "case presentation", "Sagsfremstilling"),
        Entry(r"oplæg", "the presentation of the item (SBSYS, Aarhus 2016)", "Oplæg:"),
        Entry(r"gennemgang af sagen", "case presentation (Gladsaxe 2013-)", "Gennemgang af sagen"),
        Entry(r"sagsbeskrivelse|beskrivelse af sagen|sagen kort|sagens indhold|beskrivelse|sagsresum[eé]",
              "case presentation", "Sagsbeskrivelse; Sagens indhold; Sagsresumé"),
        Entry(r"baggrund|problemstilling|løsning|vurdering|(?:forvaltningens|administrationens) vurdering|"
              r"sagens baggrund",
              "case presentation subsection", "Baggrund"),
        Entry(r"høring|høringssvar|kommunikation|tidsplan|"
              r"forelæggelse for med-udvalg|med-inddragelse", "other common subsections", "Høring"),
        Entry(r"personalemæssige konsekvenser|miljømæssige konsekvenser|administrative konsekvenser|"
              r"erhvervsmæssige konsekvenser|konsekvenser(?: for [\w\- ]{2,40})?|"
              r"udtalelse(?:r)?|handicappolitisk vurdering|klima- og miljøvurdering|klimavurdering|"
              r"miljøvurdering|ligestillingsvurdering|risikovurdering|bæredygtighedsvurdering|juridiske forhold|"
              r"juridisk vurdering|"
              r"borgerinddragelse|supplerende (?:sagsfremstilling|oplysninger)|relation til [\w\- ,]{2,60}|"
              r"formål|indledning|kort fortalt|fagligt resum[eé]|finansiering|bemærkninger|konklusion|"
              r"sagsbehandling|proces", "further case sections seen in other municipalities",
              "Personalemæssige konsekvenser; Klima- og miljøvurdering; Relation til politikker og strategier"),
    ),
    "summary": (
        Entry(r"resum[eé]", "summary", "Resumé"),
        Entry(r"sammendrag", "summary (eDoc, Ballerup 2012)", "Sammendrag"),
        Entry(r"sagens kerne", "case summary (København-style)", "Sagens kerne"),
    ),
    "history": (
        Entry(r"sagsforløb|sagens forløb", "case history", "Sagsforløb"),
    ),
    "economy": (
        Entry(r"økonomi|økonomiske konsekvenser|bevillingsmæssige konsekvenser|økonomi og finansiering|"
              r"økonomiske konsekvenser og finansiering", "economy (the last as eDoc prints it, Ballerup 2012)",
              "Økonomi; Økonomiske konsekvenser og finansiering"),
    ),
    "legal": (
        Entry(r"lovgrundlag|retsgrundlag|lovgivning|hjemmel|beslutningskompetence|kompetence", "legal basis",
              "Lovgrundlag; Hjemmel"),
        Entry(r"beslutningen træffes af", "the body competent to decide (eDoc, Ballerup 2012)",
              "Beslutningen træffes af"),
    ),
    "upcoming": (
        Entry(r"kommende behandlingsforløb|videre behandling|sagen afgøres i|behandles efterfølgende i|"
              r"videre proces|det videre forløb|kommende behandling", "where the case goes next",
              "Kommende behandlingsforløb; Videre proces"),
    ),
    "related": (
        Entry(r"relateret behandling|relaterede behandlinger|tidligere behandling(?:er)?|"
              r"tidligere beslutninger|politisk behandling|relaterede sager", "earlier treatments",
              "Relateret behandling; Relaterede sager"),
    ),
    "attachments": (
        Entry(r"bilag(?:sliste|soversigt)?", "attachments", "Bilag"),
    ),
    "presenters": (
        Entry(r"deltager i sagens behandling|deltagere i sagens behandling|deltager under punktet|"
              r"fremlæggelse ved|oplæg ved", "officials presenting the item", "Deltager i sagens behandling"),
    ),
    "repeat_title": (
        Entry(r"dagsordenpunkt|dagsordenspunkt", "2013-layout marker before the repeated title",
              "Dagsordenpunkt"),
    ),
    "attendance": (
        Entry(r"fraværende|afbud|fravær|ikke til stede", "absence list under an item", "Fraværende"),
    ),
    "signatures": (
        Entry(r"underskriftsside|underskrifter|underskrift", "the members' signatures after the last item (Glostrup)",
              "Underskriftsside"),
    ),
}

# eDoc's decision label, the body in the genitive, the meeting's date and the item number after it
GENITIVE_DECISION = Entry(r"^(?P<body>[A-ZÆØÅ][\w\- ,]*?(?:udvalg|råd|bestyrelse|nævn|forum|komité|gruppe)(?:et|en)?)s"
                          r"\s+beslutning(?:\s+(?:den|d\.)\s+\d{1,2}[.\-/]\d{1,2}[.\-/]\d{2,4})?"
                          r"(?:\s+(?:punkt|pkt\.?)\s*\d{1,4}[a-z]?)?\s*:?$", "decision of a named body (genitive)",
                          "Sundheds- og Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt 3 (eDoc, Ballerup 2012)")

# --- Decisions -------------------------------------------------------------------------------
# Verdict phrases, looked for first at the start of a sentence and then anywhere. Order in each
# tuple does not matter; the earliest verdict sentence decides.

VERDICTS: dict[str, tuple[Entry, ...]] = {
    "recommended": (
        Entry(r"anbefale[sr]|anbefalet|indstilles til (?:byrådets|kommunalbestyrelsens|økonomiudvalgets|godkendelse)",
              "recommended on to a higher body", "Anbefales.; Indstilles til godkendelse (eDoc, Ballerup 2012)"),
        Entry(r"oversendes til (?:byrådet|kommunalbestyrelsen|økonomiudvalget)", "sent on with recommendation",
              "Oversendes til Byrådet med anbefaling."),
        Entry(r"indstilles til godkendelse", "recommended for approval by the body that decides (eDoc minutes, "
              "where 'Beslutningen træffes af' names the council)",
              "Indstilles til godkendelse (Ballerup, Sundheds- og Forebyggelsesudvalget 04.12.2012, punkt 3)"),
    ),
    "noted": (
        Entry(r"til efterretning|taget til efterretning|tages til efterretning", "noted",
              "Til efterretning."),
        Entry(r"(?:taget|tages|blev taget) til orientering|til orientering|orienteringen blev taget",
              "noted (information item)", "Sagen blev forelagt til orientering."),
    ),
    "approved": (
        Entry(r"godkendt|godkendes|godkendte|tiltrådt|tiltrådte|tiltrædes|vedtaget|vedtages|vedtog|bevilget|"
              r"imødekommet|indstillingen følges", "approved", "Godkendt.; Tiltrådt.; Vedtaget.; Udvalget vedtog "
              "indstillingen."),
    ),
    "postponed": (
        Entry(r"udsat|sagen udsættes|udsættes|besluttede at udsætte|behandlingen (?:af sagen )?udsættes",
              "postponed", "Udsat.; Sagen udsættes til næste møde.; Udvalget besluttede at udsætte sagens behandling."),
    ),
    "rejected": (
        Entry(r"afvist|afvises|forkastet|forkastes|afslået|afslås|ikke (?:godkendt|tiltrådt|vedtaget|imødekommet)",
              "the body says no", "Ikke godkendt.; Forslaget blev forkastet.; Ansøgningen blev afslået."),
    ),
    "referred": (
        Entry(r"(?:fremsendes|oversendes|videresendes|sendes|henvises|overgives)\s+(?:sagen\s+)?til\s+\S.{0,80}?"
              r"(?:til\s+(?:behandling|videre behandling|udtalelse|drøftelse)|\buden\s+(?:indstilling|anbefaling))|"
              r"henvises til|oversendes til|fremsendes til",
              "sent on without a decision on its merits",
              "Fremsendes til Teknisk Udvalg til behandling.; Oversendes til Byrådet uden indstilling."),
    ),
    "other": (
        Entry(r"trukket|sagen blev trukket|bortfaldet|bortfalder|sendt tilbage",
              "withdrawn or sent back", "Sagen blev trukket.; Punktet bortfaldt."),
        Entry(r"drøftet|drøftedes|sagen blev drøftet", "discussed, nothing decided", "Drøftet."),
        Entry(r"intet til orientering|ingen orientering|intet at orientere om", "nothing was reported",
              "Intet til orientering. (Glostrup 2025)"),
    ),
}
# After an approval these make it approved_with_changes: "Tiltrådt, med følgende tilføjelser"
WITH_CHANGES = Entry(
    r"\bmed (?:følgende|de|den|en|disse|nedenstående) (?:ændring|ændringer|tilføjelse|tilføjelser|rettelse|"
    r"rettelser|bemærkning|bemærkninger|præcisering|præciseringer)|\bmed den ændring|\bidet\s.*\bændres\b|"
    r"\bmed ændring(?:er)?\b|\bsom ændret\b|\bmed tilføjelse(?:n|r)?\b",
    "approval with changes", "Tiltrådt, med følgende tilføjelser",
)
# Verdicts that a negation turns around: "Ikke godkendt." and "Anbefales ikke." are rejected;
# "Oversendes til Byrådet uden indstilling." is referred (sent on without a view on its merits)
REJECTIONS = re.compile(r"\bikke\s+(?:godkendt|tiltrådt|vedtaget|anbefalet|anbefales|imødekommet)|"
                        r"\banbefales\s+ikke\b|\bindstillingen\s+(?:blev\s+)?ikke\s+(?:fulgt|vedtaget|tiltrådt)",
                        re.IGNORECASE)
WITHOUT_VIEW = re.compile(r"\buden\s+(?:indstilling|anbefaling)\b", re.IGNORECASE)

# --- Recommendations -------------------------------------------------------------------------
# "Social- og Sundhedsforvaltningen indstiller," / "Forvaltningen indstiller, at …"
RECOMMENDS = Entry(r"^(?P<body>[A-ZÆØÅ].{2,150}?)\s+indstiller\b(?:\s+(?:til|over for|overfor)\s+[^,]{2,120},)?"
                   r"\s*,?\s*(?P<rest>.*)$", "X indstiller [til Y], at (recommends)",
                   "Social- og Sundhedsforvaltningen indstiller,; Teknik og Miljø indstiller til Klima- og "
                   "Miljøudvalget, at affaldsplanen godkendes.")
# "Derfor indstiller Social- og Sundhedsforvaltningen, at …"
RECOMMENDS_INVERTED = Entry(r"\bindstiller\s+(?P<body>[A-ZÆØÅ][^,]{2,120}?)\s*,\s*(?P<rest>at\b.*)$",
                            "inverted: indstiller X, at", "Derfor indstiller Forvaltningen, at …")
# "Social- og Sundhedsforvaltningen forelægger sagen til orientering." / "Sagen fremlægges af X"
PRESENTS = Entry(r"^(?P<body>[A-ZÆØÅ].{2,150}?)\s+(?:forelægger|forlægger|fremlægger)\s+sagen\b",
                 "X forelægger sagen (presents the case)",
                 "Social- og Sundhedsforvaltningen forelægger sagen til orientering.")
PRESENTED_BY = Entry(r"^sagen\s+(?:fremlægges|forelægges)\s+af\s+(?P<body>[A-ZÆØÅ].+?)\.?$",
                     "passive: sagen fremlægges af X", "Sagen fremlægges af Social- og Sundhedsforvaltningen")
# Inside an Indstilling section, eDagsorden's "By- og Kulturforvaltningen foreslår, at byrådet godkender:"
# names the recommending body as "indstiller" does elsewhere (only there: in case text "foreslår" is prose)
PROPOSES = Entry(r"^(?P<body>[A-ZÆØÅ].{2,150}?)\s+(?:foreslår|anbefaler)\b\s*,?\s*(?P<rest>.*)$",
                 "X foreslår, at (in an Indstilling section)",
                 "By- og Kulturforvaltningen foreslår, at byrådet godkender:")
# a line without any of these cannot name the recommending body (a precheck for the regexes above)
RECOMMENDATION_CUES = ("indstille", "lægger", "lægges", "foreslår", "anbefaler")
# numbered points: "1. at budgetopfølgning … tages til efterretning," ; "a) at …" ; "- at …"
# "at 1) trafikplanen godkendes," (Aarhus): the number after "at" is not part of the point
RECOMMENDATION_AT_NUMBER = Entry(r"^at\s+\d{1,2}\)\s+", "number after 'at' in a point", "at 1) trafikplanen godkendes,")
RECOMMENDATION_POINT = Entry(r"^(?:\d{1,2}[.)]|[a-h][.)]|[-•–])\s*(?P<text>at\b.*)$",
                             "numbered 'at' point", "1. at budgetopfølgning for 3. kvartal 2021 tages til "
                             "efterretning,")

# --- Attendance and votes --------------------------------------------------------------------

ABSENCE_PHRASES: tuple[Entry, ...] = (
    Entry(r"(?:der var )?afbud fra (?P<names>.+?)(?:\.|$)", "afbud fra X", "Der var afbud fra Suleman Naim."),
    Entry(r"(?P<names>[A-ZÆØÅ][^.]*?) (?:var|er) (?:ikke til stede|fraværende|forhindret|fraværende under "
          r"behandlingen af (?:dette )?punkt(?:et)?)", "X var ikke til stede / fraværende",
          "Kristoffer Beck var ikke til stede."),
    Entry(r"(?P<names>[A-ZÆØÅ][^.]*?) (?:havde|har) (?:meldt )?(?:afbud|forfald)", "X havde meldt afbud",
          "Hanne Lund havde meldt afbud.; Hans Berg (V) havde forfald."),
    Entry(r"\b(?:følgende|disse)\s+(?:var|er)\s+(?:fraværende|ikke til stede)\s*:?\s*(?P<names>[^.]+)",
          "Følgende var fraværende: X og Y", "Følgende var fraværende: Hans Berg og Lise Holm."),
    Entry(r"^(?:afbud|fraværende|fravær|ikke til stede)\s*:\s*(?P<names>.+?)\.?$", "Fraværende: X, Y",
          "Fraværende: Poul Hansen (V)"),
    Entry(r"\b(?:følgende|disse)\s+(?:medlemmer\s+)?deltog\s+ikke(?:\s+i\s+[^:]{2,60}?)?\s*:\s*(?P<names>[^.]+)",
          "Følgende deltog ikke …: X, Y (eDoc)", "Følgende deltog ikke i behandlingen af punktet: Hans Berg (V)"),
    Entry(r"(?P<names>[A-ZÆØÅ][^.]*?)(?<![Ff]ølgende) deltog ikke(?: i (?:mødet|behandlingen|sagens behandling|"
          r"punktets behandling))?", "X deltog ikke", "Morten Kjær deltog ikke i behandlingen af punktet."),
)
SUBSTITUTE_PHRASES: tuple[Entry, ...] = (
    Entry(r"(?P<sub>[A-ZÆØÅ][\w .\-'()]*?) (?:deltog|mødte|var til stede) (?:i stedet for|for|som "
          r"stedfortræder for) (?P<for>[A-ZÆØÅ][\w .\-'()]*?)(?=\s+og\s+[A-ZÆØÅ][\w .\-'()]*? "
          r"(?:deltog|mødte)|[.,;]|$)", "X deltog i stedet for Y",
          "Tom Vang Knudsen deltog i stedet for Kristine Henriksen"),
    Entry(r"(?:stedfortræder|suppleant)\s*:?\s+(?P<sub>[A-ZÆØÅ][\w .\-'()]*?) (?:for|i stedet for) "
          r"(?P<for>[A-ZÆØÅ][\w .\-'()]*?)(?=[.,;]|$)", "stedfortræder X for Y",
          "Stedfortræder Jens Holm for Lise Berg."),
)
# A group whose members follow in brackets: "Et flertal af udvalget (A, B og C) stemte for"; after a
# single name the brackets hold the party instead: "Bo Lund (V) stemte imod"
_GROUP = r"(?:flertal|mindretal|medlemmer|udvalget|partierne|grupperne)"
VOTE_PHRASES: dict[str, tuple[Entry, ...]] = {
    "for": (
        Entry(_GROUP + r"[^()]*\((?P<names>[^()]+)\)\s+stemte for", "(names) stemte for",
              "Et flertal (Michael Dorph Jensen, … og Susanne Damsgaard) stemte for."),
        Entry(r"^for (?:stemte|stemmer)\s*:?\s*(?P<names>.+?)\.?$", "For stemte: names",
              "For stemte: A, F og Ø"),
        Entry(r"(?P<names>[A-ZÆØÅ][^.]*?)\s+stemte for\b", "names stemte for", "A og F stemte for."),
        Entry(r"\bmed \d+ stemmer?\s*\((?P<names>[^()]+)\)", "vedtaget med N stemmer (names)",
              "Indstillingen blev vedtaget med 25 stemmer (A, F, Ø, B, Å) mod 6 stemmer (V, C)."),
        Entry(r"\b\d+ stemmer? for\s*\((?P<names>[^()]+)\)", "N stemmer for (names)",
              "Godkendt med 5 stemmer for (A, F, Ø) og 2 imod (V, C)."),
        Entry(r"\bflertal (?:bestående af|af)\s+(?P<names>[^.()]+?)\s+(?:godkendte|vedtog|tiltrådte|anbefal(?:er|ede))\b",
              "et flertal bestående af names godkendte", "Et flertal bestående af A, F og Ø godkendte indstillingen."),
    ),
    "against": (
        Entry(_GROUP + r"[^()]*\((?P<names>[^()]+)\)\s+stemte imod", "(names) stemte imod",
              "Et mindretal (V) stemte imod."),
        Entry(r"^imod (?:stemte|stemmer)\s*:?\s*(?P<names>.+?)\.?$", "Imod stemte: names", "Imod stemte: V"),
        Entry(r"(?P<names>[A-ZÆØÅ][^.]*?)\s+stemte imod\b", "names stemte imod", "Hans Berg stemte imod."),
        Entry(r"\bmod \d+ stemmer?\s*\((?P<names>[^()]+)\)", "… mod N stemmer (names)",
              "Indstillingen blev vedtaget med 25 stemmer (A, F, Ø, B, Å) mod 6 stemmer (V, C)."),
        Entry(r"\b\d+ (?:stemmer? )?imod\s*\((?P<names>[^()]+)\)", "N imod (names)",
              "Godkendt med 5 stemmer for (A, F, Ø) og 2 imod (V, C)."),
    ),
    "abstained": (
        Entry(_GROUP + r"[^()]*\((?P<names>[^()]+)\)\s+undlod at stemme", "(names) undlod at stemme",
              "Et mindretal (C) undlod at stemme."),
        Entry(r"^(?:undlod at stemme|hverken for eller imod|blank)\s*:?\s*(?P<names>.+?)\.?$",
              "Undlod at stemme: names", "Undlod at stemme: C"),
        Entry(r"(?P<names>[A-ZÆØÅ][^.]*?)\s+undlod at stemme\b", "names undlod at stemme",
              "Lone Yalcinkaya undlod at stemme."),
        Entry(r"\b\d+ (?:medlemmer\s+)?undlod at stemme\s*\((?P<names>[^()]+)\)", "N undlod at stemme (names)",
              "3 undlod at stemme (B, Å)"),
    ),
}
# Where one vote's clause ends inside a captured name list: "Hans Berg stemte imod, Jens Ravn undlod at stemme"
VOTE_CLAUSE_END = Entry(r"\b(?:stemte\s+(?:for|imod)|undlod\s+at\s+stemme)\b[,;]?\s*", "end of one vote clause",
                        "Hans Berg og Lise Holm stemte imod, Jens Ravn undlod at stemme.")
# Lines that state one thing each even without a full stop ("For stemte: A, F og Ø" / "Imod stemte: V")
STATEMENT_LABEL = re.compile(r"^(?:for stemte|for stemmer|imod stemte|imod stemmer|undlod at stemme|"
                             r"hverken for eller imod|fraværende|afbud|fravær|ikke til stede|stedfortræder)\s*:",
                             re.IGNORECASE)
# Cheap prechecks: a sentence without any of these words cannot hold the phrases above.
ABSENCE_CUES = ("afbud", "til stede", "fravær", "forhindret", "deltog ikke", "forfald")
SUBSTITUTE_CUES = ("stedet for", "stedfortræder", "suppleant", "deltog for", "mødte for")
VOTE_CUES = ("stemte", "stemmer", "undlod", "hverken for", "blank", "flertal")
# "Fraværende med afbud: Hans Berg" / "Afbud: Hans Berg": wording before the names
# "Fraværende: Ingen": nobody
NOBODY = re.compile(r"^(?:ingen|intet|ingen afbud|ingen fraværende|-|–)\.?$", re.IGNORECASE)
# A body or an office, not a person, where a sentence's subject stands ("medlemmer af Økonomiudvalget er
# forhindret i at deltage" names no absentee; Greve, Byråd 20 June 2022, item 11)
INSTITUTION = re.compile(r"(?:udvalg(?:et)?|byråd(?:et)?|rådet|kommunalbestyrelsen?|forvaltning(?:en)?|kommune|"
                         r"bestyrelsen?|administrationen|direktionen|sekretariatet|centeret|center)$", re.IGNORECASE)
ABSENT_VALUE_PREFIX = re.compile(r"^(?:(?:med\s+)?(?:afbud|forfald)\s*)?(?:fra\s*)?:?\s*", re.IGNORECASE)
# A role in brackets after a member's party: "Kasper Damsgaard (A) (Borgmester)" (Glostrup)
MEMBER_ROLE_SUFFIX = re.compile(r"\s*\((?:formand|næstformand|borgmester|viceborgmester|rådmand|udvalgsformand|"
                                r"medlem|suppleant|stedfortræder)\)\s*$", re.IGNORECASE)
# Roles printed before a member's name in participant lists: "Formand Anne Holm (A)"
MEMBER_ROLE = re.compile(r"^(?:formand|næstformand|borgmester|viceborgmester|rådmand|udvalgsformand|"
                         r"medlem|suppleant)\s*[:,]?\s+(?=[A-ZÆØÅ])", re.IGNORECASE)
# Leading phrases stripped from a vote subject: "Et flertal af Beskæftigelsesudvalget"
VOTE_SUBJECT_NOISE = re.compile(
    r"^(?:et\s+)?(?:flertal|mindretal|enstemmigt|samtlige|udvalgets medlemmer|følgende|disse)\b.*$", re.IGNORECASE)

# --- References and next steps ---------------------------------------------------------------
# "Beskæftigelses- og Integrationsudvalget 01.06.2021, punkt 2."
# "Beskæftigelses- og Integrationsudvalget, 12.10.2021, pkt. 1"
# "Økonomiudvalget 29.01.2013, Punkt 15 (Åben)"; "Børne- og Undervisningsudvalget 04.04.2024."
REFERENCE = Entry(
    r"^(?P<body>[A-ZÆØÅ][^\d]*?)[,\s]+(?:den\s+|d\.\s*)?(?P<date>\d{1,2}[.\-/]\d{1,2}(?:[.\-/](?:\d{4}|\d{2}))?|"
    r"\d{1,2}\.?\s+[a-zæøåA-ZÆØÅ]+\.?\s+\d{4})"
    r"(?:[,\s]+(?i:punkt|pkt\.?|sag nr\.?|dagsordenspunkt)\s*(?P<item>\d{1,4})(?P<more>(?:\s*(?:,|og|&)\s*\d{1,4})*))?",
    "earlier treatment: body, date, item", "Beskæftigelses- og Integrationsudvalget 01.06.2021, punkt 2.; "
    "Byrådet den 24. januar 2024, punkt 5",
)
# "Byrådet" alone under Kommende behandlingsforløb: the next body, date not yet set
UPCOMING_BODY_ONLY = Entry(r"^[A-ZÆØÅ][\w\- ]+$", "planned treatment without a date", "Byrådet")
# "Økonomiudvalget 07.12.2021"
UPCOMING = Entry(r"^(?P<body>[A-ZÆØÅ][^\d]*?)[,\s]+(?:den\s+|d\.\s*)?(?P<date>\d{1,2}[.\-/]\d{1,2}[.\-/]\d{2,4}|"
                 r"\d{1,2}\.?\s+[a-zæøå]+\s+\d{4})", "planned treatment: body, date", "Økonomiudvalget 07.12.2021")

# A body named by its meeting in a reference: "Byrådsmødet 29.09.2021, punkt 18" is Byrådet's meeting;
# "Økonomiudvalgets møde" is Økonomiudvalget's. Stripped before body names are compared (referat.names).
BODY_MEETING_SUFFIX = Entry(r"(?:s\s*)?(?:ordinære\s+|ekstraordinære\s+)?møde(?:t)?$",
                            "a body named by its meeting", "Byrådsmødet; Økonomiudvalgets møde")

# A vote or absence that names a party instead of a person: "A og F stemte for", "Ø", "Uden for parti"
PARTY_ONLY = Entry(r"^(?:[A-ZÆØÅ]{1,3}|uden for parti|løsgænger)$", "a party letter or group, not a person",
                   "A og F stemte for; Suleman Naim (Uden for parti)")
# The further item numbers of a reference (the "more" group of REFERENCE): ", 10 og 11"
REFERENCE_MORE_SPLIT = Entry(r"\s*(?:,|og|&)\s*", "separator between item numbers",
                             "Beskæftigelsesudvalget, 20.02.2018, pkt. 9, 10 og 11")
# A council rather than a committee (OParl's classification): "Byrådet", "Kommunalbestyrelsen"
COUNCIL_NAME = Entry(r"^(?:byråd|kommunalbestyrelse|regionsråd)", "a council, not a committee",
                     "Byrådet; Kommunalbestyrelsen")
# Danish names of the decision kinds, for people (web pages, OParl's AgendaItem.result)
DECISION_KIND_DA: dict[str, str] = {
    "approved": "Godkendt", "approved_with_changes": "Godkendt med ændringer", "recommended": "Anbefalet",
    "rejected": "Ikke godkendt", "postponed": "Udsat", "referred": "Videresendt", "noted": "Til efterretning",
    "other": "Andet"}
# The decision kinds, in the order the record and every filter list them
DECISION_KINDS: tuple[str, ...] = tuple(DECISION_KIND_DA)

# A presenter line that starts with a role, not a name: no person is read from it
PRESENTER_ROLE_FIRST = Entry(r"^[\w\-]*(?:direktør|chef|leder|konsulent|koordinator|rådgiver|medarbejder|formand|"
                             r"sekretær|specialist|fuldmægtig|repræsentant)s?\b", "presenter line led by a role",
                             "Direktør for Social og Sundhed Anne Holm")
# --- Presenters ------------------------------------------------------------------------------
# A presenter line is split at " og " only where a full name (two capitalised words, no comma
# between) ends the left part and the right part ends with one too:
# "Leder af Social Balance Mette Dybkjær og SSP konsulent Jeanette Vamdrup Jacobsen" -> two,
# "Teamleder for Dagpenge og fleksteamet Bodil Parsons." -> one.
NAME_AT_END = re.compile(r"(?:[A-ZÆØÅ][\w\-']+\s+)+[A-ZÆØÅ][\w\-']+\s*$")

# --- Money -----------------------------------------------------------------------------------
# Every number written directly before "mio. kr." ("20,5 mio. kr.", "-7,8 mio. kr.", "1.056 mio. kr.");
# not "millioner", "mia. kr." or plain "kr.".
# (spelled-out case classes: a case-insensitive Unicode scan is several times slower on long texts)
MIO_KR = re.compile(r"[Mm][Ii][Oo]\.?\s*[Kk][Rr]\b")
# the number that ends the text just before "mio. kr."
NUMBER_BEFORE = re.compile(r"(?<![\w.,])(?P<number>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)\s*$")

# --- Tables ----------------------------------------------------------------------------------
# "Tabel 1: Beskæftigelses- og Integrationsudvalgets rammer"; "Tabel 2. Udvikling i …"
TABLE_CAPTION = Entry(r"^(?:tabel|table|oversigt|figur)\s*\d+\s*[:.\-–]?.*$", "table caption",
                      "Tabel 1: Beskæftigelses- og Integrationsudvalgets rammer")
# A markdown separator row: "----------\t-------"
TABLE_RULE = re.compile(r"^[\s\-:|=+]+$")

# --- Web pages ------------------------------------------------------------------------------
# Elements whose class/id/role says they are interface, not minutes: <div class="cookie-banner">
HTML_NOISE_ATTRIBUTE = Entry(r"cookie|consent|breadcrumb|share|social|navbar|menu|skip-?link|print-?button|"
                             r"toolbar|search-?form|site-?header|site-?footer|contentinfo", "interface element",
                             '<div class="cookie-consent">')
# Lines that are interface text, dropped from web pages (matched against the whole line)
HTML_NOISE_TEXT = Entry(r"^(?:hent som pdf|download(?: som)? pdf|kopier link|del(?: på .*)?|til toppen|"
                        r"tilbage til toppen|udskriv|print|luk|accepter(?: alle)?(?: cookies)?|afvis(?: alle)?|"
                        r"læs mere om cookies|vis alle|skjul)$", "interface text on meeting pages",
                        "Hent som PDF; Kopier link; Til toppen")

# --- The publication API (meeting JSON) ---------------------------------------------------------
# A "meeting" that only holds members' questions and the administration's answers as attachments: refused
QUESTION_ANSWER = Entry(r"sp(?:ø|oe)rgsm(?:å|aa)l\s*/\s*svar", "a question/answer container, not a meeting",
                        ".Spørgsmål / Svar til Byrådet 2022-2025; Spørgsmål/Svar Byrådet 2022")
# Printed where a closed item's decision would be: no decision is published
DECISION_WITHHELD = Entry(r"^beslutning(?:en)?\s+(?:er\s+)?ikke\s+frigivet\.?$", "a closed item's decision withheld",
                          "Beslutning ikke frigivet")
# Headings of the publication system's item layout that no other layout uses as section names (role other):
# they are headings even where they stand alone
PUBLICATION_HEADINGS = Entry(r"^(?:fremstilling|sagsprocedure|øvrige (?:forhold|konsekvenser)|øvrig information|"
                             r"yderligere forhold)$", "section headings of the publication system's items",
                             "Fremstilling; Sagsprocedure; Øvrige forhold")
# An item attendee's reason that means absence ("Fraværende"; not "Inhabil")
ATTENDEE_ABSENT = Entry(r"^(?:fraværende|fravær|afbud|forfald|ikke til stede|syg)\b", "absent from the item",
                        "Fraværende")

# --- Normalization artifacts -----------------------------------------------------------------
# Page numbers printed on a line of their own: "Side 3 af 22", "- 3 -", "3/22", "1 of 5" (Acadre)
PAGE_NUMBER = re.compile(r"^(?:side|s\.|page)\s*\d{1,4}(?:\s*(?:af|/|of)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$|"
                         r"^\d{1,4}\s*(?:/|af|of)\s*\d{1,4}$", re.IGNORECASE)
# A page number at the end of a running header line: "Sundheds- og Forebyggelsesudvalget 04.12.2012 Side 5 af 23"
PAGE_NUMBER_TAIL = re.compile(r"(?:\s+|\t|^)(?:(?:side|page|s\.)\s*\d{1,4}(?:\s*(?:af|/|of)\s*\d{1,4})?|"
                              r"\d{1,4}\s*(?:af|of)\s*\d{1,4})\s*$", re.IGNORECASE)
BARE_NUMBER = re.compile(r"^\d{1,3}$")
# First characters an item heading can start with besides a digit ("Punkt", "Pkt.", "Sag nr.",
# "Dagsordenpunkt", "• 301."): a precheck that spares the heading regexes most lines.
ITEM_HEADING_FIRST = frozenset("PpSsDd•·▪◦")
# A contents entry: its title, a dot leader, a tab or a column gap, its page
TOC_ENTRY = Entry(r"^(?P<title>.*?\S)(?:\s*\.{2,}[\s.]*|\t+\s*|\s{3,})(?P<page>\d{1,4})$", "contents entry with its page",
                  "Beskæftigelsesplan 2022.....\t6; Godkendelse..... 23")
# in a contents list whose other entries carry page numbers, one whose tab leader shrank to a space at the
# right margin (LibreOffice's PDF of a Word contents list)
TOC_ENTRY_LOOSE = Entry(r"^(?P<title>.*?\S)\s+(?P<page>\d{1,3})$", "contents entry, its page after one space",
                        "Høringssvar til Ankestyrelsen angående mulig tilsynssag vedrørende tilbud efter lov om "
                        "aktiv beskæftigelsesudvikling 3")
# header labels that are everyday words too ("tid til at …", "sted i …"): a line opens a header field with
# one of them only when a colon follows (the others open one with a space too: "Mødedeltagere Ole Bak")
HEADER_PLAIN_LABELS = ("dato", "tid", "sted", "udvalg", "forum", "organ", "afholdt", "fravær", "bemærk", "bemærkning")
# A line that starts a list entry, an at-clause of a recommendation or an attachment: in a hard-wrapped
# document (normalize._unwrap) it is never the continuation of the line before it, however full that is
WRAP_NEW_LINE = Entry(r"^(?:[-–•·▪◦*]\s|\(?\d{1,2}[.)]\s|\(?[a-zæøå][.)]\s|at\s|bilag\s*\d)",
                      "a line that opens a list entry, an at-clause or an attachment",
                      "- Budgetopfølgning; 2. at udvalget godkender; a) første del; at budgetbidraget indgår; "
                      "Bilag 2: Kvartalsstatistik 1. kvartal 2025")
# Words after a line-end hyphen that show the hyphen is a real one ("Børne- og Ungeudvalget")
HYPHEN_KEEP_NEXT = ("og", "eller", "samt", "til", "&", "som", "end")


def compiled(entries: tuple[Entry, ...], flags: int = re.IGNORECASE) -> tuple[re.Pattern[str], ...]:
    """Compile a vocabulary tuple once, at import."""
    return tuple(e.compile(flags) for e in entries)


def literal_prefixes(pattern: str) -> tuple[str, ...]:
    """The literal lowercase words an alternation can start with: "beslutning(?:er)?|afgørelse" ->
    ("beslutning", "afgørelse"); "(?:udvalgets|byrådets)\\s+beslutning" -> ("udvalgets", "byrådets").
    Used as a cheap precheck (str.startswith) before the full regex; an alternative without a literal
    start gives "" and so disables the precheck rather than missing a heading."""
    out: list[str] = []
    depth, start = 0, 0
    alternatives = []
    for i, ch in enumerate(pattern):
        if ch == "(" and (i == 0 or pattern[i - 1] != "\\"):
            depth += 1
        elif ch == ")" and pattern[i - 1] != "\\":
            depth -= 1
        elif ch == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
    alternatives.append(pattern[start:])
    for alt in alternatives:
        group = re.match(r"^\(\?(?:P<\w+>|:)?(.*)\)(?:[?*+]|\{[^}]*\})?", alt)
        if alt.startswith("(") and group and _balanced_group_end(alt) is not None:
            inner = alt[: _balanced_group_end(alt)]
            inner = re.sub(r"^\(\?(?:P<\w+>|:)?", "", inner)[:-1]
            out.extend(literal_prefixes(inner))
            continue
        m = re.match(r"^[a-zæøåé\- ]+", alt)
        word = m.group(0).strip() if m else ""
        # a quantifier after the last literal character makes that character optional
        if m and m.end() < len(alt) and alt[m.end()] in "?*{":
            word = word[:-1]
        out.append(word.split(" ")[0] if word else "")
    return tuple(dict.fromkeys(out))


def _balanced_group_end(text: str) -> int | None:
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif ch == ")" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def section_first_words() -> tuple[str, ...]:
    """Every word a section heading can start with (lowercase), for a startswith precheck."""
    return tuple(dict.fromkeys(p for entries in SECTION_HEADINGS.values() for e in entries
                               for p in literal_prefixes(e.pattern)))


def section_pattern() -> re.Pattern[str]:
    """One regex that recognises any section heading line, alone ("Beslutning") or with its text after a
    colon ("Beslutning: Godkendt." -> group inline); the group name role_<role> says its role."""
    parts = []
    for role, entries in SECTION_HEADINGS.items():
        alts = "|".join(f"(?:{e.pattern})" for e in entries)
        # group names must be unique; the body/date groups live only in the first decision entry
        parts.append(f"(?P<role_{role}>{alts})")
    return re.compile(r"^(?:" + "|".join(parts) + r")(?:\s*:?$|\s*:\s+(?P<inline>\S.*)$)", re.IGNORECASE)
