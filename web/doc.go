// Package web serves entitywatch's read-only HTTP API and its web view
// for auditors and legal teams, over a Store (the slice of the database
// it reads, which cmd/entitywatch adapts *store.DB to).
//
//	srv := web.NewServer(st, web.Options{Token: os.Getenv("ENTITYWATCH_API_TOKEN")})
//	http.ListenAndServe("127.0.0.1:8080", srv.Handler())
//
// # API
//
// Every answer is JSON except where noted; errors are {"error": "..."}.
//
//	GET /api/v1/snapshot?as_of=D&by=effective|published[&format=csv]   the list on a day
//	GET /api/v1/entries?q=NAME[&as_of=D&by=...&limit=N]                 fuzzy search, ranked, with scores
//	GET /api/v1/entries/{id}                                            an entry and its history (ids hold a slash: CN/inspurtaiwan)
//	GET /api/v1/changes?from=D1&to=D2                                   added, removed, revised, moved
//	GET /api/v1/documents                                               every stored document
//	GET /api/v1/documents/{number}                                      metadata, parse result, SHA-256
//	GET /api/v1/documents/{number}/raw                                  the original bytes; X-Content-SHA256
//	GET /api/v1/report?week=2025-W13[&format=json|html|md|csv|xlsx]     the weekly report (Options.Report)
//	GET /healthz                                                        ingestion and alerting state
//	GET /metrics                                                        Prometheus metrics
//
// Dates are YYYY-MM-DD; as_of defaults to today (UTC) and by to
// effective. Statuses come from one function, statusOf: 400 for bad input
// (ErrInvalid), 404 for what the store does not hold (ErrNotFound), 401
// without the token, 503 from /healthz when the store does not answer,
// and 500 for anything else, with the error logged and a generic body.
//
// # Web view
//
// Server-rendered html/template pages, embedded in the binary, with no
// script and no outside assets: a search page with an as-of date and a
// chart of changes per month (inline SVG, with the numbers as a table),
// an entry page with the timeline of the rules that changed the entry
// (each linked to the Federal Register and to the stored copy), the
// documents with their status and evidence, and the weekly report.
//
// # Search
//
// Names and aliases are folded (case, Latin diacritics, Cyrillic
// transliterated, punctuation) into words. Trigrams of the words find
// candidates; each is scored by how well every query word matches a word
// of the name (exactly, as a prefix, within an edit distance, or by a
// rough sound-alike form, so "Suma Techology" finds "Suma Technology"),
// weighted by length, with legal forms (Co., Ltd., LLC) counting little.
// An index is built per as-of date and kept, with the snapshot it
// indexes, for Options.IndexTTL.
//
// # Caveats
//
//   - The token guards the API and the web view (a sign-in page sets a
//     cookie holding a hash of it); /healthz and /metrics stay open for
//     probes and scrapers. Serve over TLS (a reverse proxy) beyond
//     loopback.
//   - Snapshots, search indexes and the document list may lag the store
//     by up to Options.IndexTTL; entries, documents and evidence are read
//     fresh.
//   - Search covers the entries on the list on the as-of date: to find an
//     entry since removed, search as of a day it was listed.
//   - Request logs are at debug level; errors behind 500 answers at
//     error level.
//   - The browser test needs Chromium at /usr/bin/chromium and fails,
//     not skips, without it.
package web
