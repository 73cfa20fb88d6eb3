package entitywatch

import "errors"

// ErrMalformed reports a document that is not well-formed XML or HTML, is
// empty, or is cut short.
var ErrMalformed = errors.New("malformed document")

// ErrNotARule reports a document that is not a Federal Register rule at
// all, such as an HTML error page served in place of a document.
var ErrNotARule = errors.New("not a Federal Register rule")

// ErrUnaccounted reports a rule whose amendment instructions and table rows
// do not match one to one: an instruction names an entry the table lacks,
// a row no instruction names, or an instruction the parser cannot read.
// Such a rule must be quarantined, never applied in part.
var ErrUnaccounted = errors.New("rule not fully accounted for")

// ErrUnknownDestination reports a destination heading that is not a known
// country or territory.
var ErrUnknownDestination = errors.New("unknown destination")

// ErrUnsupported reports a document kind the parser recognises but cannot
// apply mechanically, such as a GPO free-text correction notice.
var ErrUnsupported = errors.New("unsupported document")

// ErrAlreadyRunning reports an ingestion run started while another is in
// progress.
var ErrAlreadyRunning = errors.New("an ingestion run is already in progress")
