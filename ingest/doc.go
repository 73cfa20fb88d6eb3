// Package ingest reads Bureau of Industry and Security rules from the
// Federal Register and returns the Entity List changes they make.
//
// ParseRule takes one document, in the FR's full-text XML
// (full_text_xml_url) or its body HTML (body_html_url), and returns an
// entitywatch.Rule. Both formats are first reduced to the same source
// model: the preamble (SUBJECT, RIN, docket, ACTION, SUMMARY, DATES, the
// FR Doc. line), and the amendment paragraphs (AMDPAR) and tables
// (GPOTABLE) in document order. Background prose (SUPLINF) is never read
// for changes, even though it names entities.
//
// The amendment instructions are the authority. Each paragraph that
// amends Supplement No. 4 to part 744 is read into clauses (an action,
// a destination, quoted names); each add or revise name must match
// exactly one table row under its destination and each row exactly one
// name. Names match the way a reader matches them: Unicode NFKC, case
// folded, punctuation, quotation marks and spacing ignored, so
// “Enterprise ‘Kant’” in an instruction matches Enterprise “Kant” in the
// table, and the quoted name tells where the name ends and the alias list
// or address begins in the entity cell.
//
// ParseECFR reads the other source: the eCFR's point-in-time XML of title
// 15 part 744 (the versioner API's full/{date}/title-15.xml?part=744, whole
// or with &appendix=Supplement No. 4 to Part 744) and returns every entry
// of the Entity List, the baseline a store starts from and the list a
// self-audit compares with. The eCFR renders the table as HTML-style
// markup (TABLE, THEAD, TBODY, TFOOT, TR, TH, TD; an LI of the source
// becomes <br/>, a superscript <sup>; the govinfo rendering has bare TRs
// and its footnotes in a table_foot DIV). It is reduced to the same table
// rows and read by the same row, column, destination, alias, address,
// citation and footnote code as a rule. With no instruction quoting each
// name, the name ends at ", a.k.a." or, without aliases, at the first
// comma after which the text surely begins an address (a number, "No.",
// "Room", "Building", a street word, the destination alone, or short
// place names ending with the destination) provided everything before it
// belongs to the name (a company suffix, a part of an organization). An
// entry it cannot split with confidence keeps its whole text as the name
// and is named in ECFRList.Warnings; its printed columns are always in
// Source. The eCFR is an editorial compilation, not the legal text: a
// difference between it and the rules is reported, never "fixed".
//
// Client fetches from the Federal Register API v1: Search lists the BIS
// rules citing 15 CFR part 744 in a publication-date window (slicing the
// window by date where the API's 50-page, 10,000-result cap would
// silently reset paging, and checking that every page is the one asked
// for), Document reads one document's metadata, FetchText downloads its
// full-text XML (or body HTML) byte for byte from the FR host only, and
// PublicInspection reads today's public inspection desk. It keeps to 5
// API requests and 1 download a second, retries 429s (after Retry-After),
// 5xx and cut bodies with backoff, caps response sizes and sends
// conditional requests. TouchesEntityList and TouchesEntityListInspection
// decide from metadata, inclusively, which documents to parse or warn
// about. DirSource has the same four methods over a folder laid out like
// the API (fixtures/federalregister is one), for air-gapped sites, demos
// and tests.
//
// Caveats:
//   - A rule that cannot be fully accounted for is an error wrapping
//     entitywatch.ErrUnaccounted, naming the instruction or table row;
//     ParseRule never returns a partial rule with a nil error.
//   - Counts stated in the SUMMARY are cross-checked against the changes;
//     a disagreement is a warning in Rule.Warnings, since SUMMARY prose
//     counts entities and entries loosely. A SUMMARY that announces
//     changes in a rule with no Supplement No. 4 instruction is an error.
//   - The body HTML flattens the LI items of a table cell, so where the
//     last alias ends is found from punctuation there; the XML keeps the
//     item boundaries. Tests check that both give the same changes.
//   - The body HTML omits the SUBJECT, RIN and docket; take them from the
//     API metadata.
//   - ParseECFR refuses a document it cannot read whole: an unknown
//     destination heading (ErrUnknownDestination) or a row it cannot place
//     (ErrUnaccounted, whose text still speaks of a rule) names the row.
//     Hong Kong entries are under CHINA from 2021; an older document's
//     HONG KONG heading is read as HK, not moved.
//   - GPO correction notices (<CORRECT>, document numbers "C1-...") print
//     their corrections as prose and are refused with ErrUnsupported; BIS
//     correcting amendments (<RULE> with ACTION "correction") are parsed
//     like any rule.
package ingest
