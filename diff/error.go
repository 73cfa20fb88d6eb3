package diff

import "errors"

// ErrNotOnList reports a removal, revision or move of an entry that is
// not on the list: one a complete State does not hold, or one a rule
// already removed.
var ErrNotOnList = errors.New("not on the list")

// ErrAlreadyListed reports an addition (or the arrival end of a move) of
// an entry already on the list under that destination and name.
var ErrAlreadyListed = errors.New("already on the list")

// ErrAmbiguous reports a revision whose name is not on the list and that
// could be the rename of more than one listed entry.
var ErrAmbiguous = errors.New("ambiguous rename")

// ErrOutOfOrder reports a rule whose effective date is earlier than the
// State it is applied to. Rules must be applied in effective-date order;
// a late-arriving earlier rule means rebuilding from an earlier State.
var ErrOutOfOrder = errors.New("rule out of order")

// ErrInvalid reports a rule or change that cannot be applied as it
// stands: no effective date, an unknown action, an entry without a
// destination code or name, a move without its origin.
var ErrInvalid = errors.New("invalid change")
