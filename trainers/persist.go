package trainers

import "errors"

// ErrBadState is wrapped by every error an UnmarshalBinary returns for
// bytes it cannot restore: truncated, garbled, of another encoding
// version, or inconsistent with the parameters and Config the estimator
// was built with. It is not a trial.ErrBadInput by itself: the model file
// that carries the bytes decides what the user is told (package model
// wraps it in ErrBadInput, as a damaged file is the user's input).
var ErrBadState = errors.New("bad fitted state")

// Persistent is a fitted Estimator that can be saved and restored: the
// model file of a refit study holds its bytes.
//
// The contract, which every family's persistence test checks:
//
//   - MarshalBinary is called after a successful Fit; before, it returns
//     an error. Its bytes are a deterministic function of the fitted state:
//     the same parameters, Config (seed included) and data give the same
//     bytes, whatever NJobs, map order or the machine. The bytes hold the
//     fitted state only, not the parameters: those are stored beside them.
//   - UnmarshalBinary is called on an unfitted estimator built by
//     Learner.New with the same parameters and Config as the one that was
//     marshalled. Afterwards Predict (and PredictProba, for a
//     ProbaEstimator) return the same values, bit for bit, as the
//     marshalled estimator did; Fit may be called again and refits from
//     scratch.
//   - UnmarshalBinary never panics, whatever the bytes: truncated,
//     garbled or trailing bytes, impossible sizes and state that does not
//     fit the estimator's parameters or Config are errors wrapping
//     ErrBadState. It does not allocate more than the bytes can justify,
//     so a hostile length cannot exhaust memory. On error the estimator
//     is left unfitted or in its previous state, never half restored and
//     usable.
//   - Encodings are versioned by the family: a change of layout must
//     change a version byte so that old bytes are refused with an error
//     rather than misread.
//
// A Persistent estimator is not safe for concurrent use while marshalling
// or unmarshalling, as for Fit.
type Persistent interface {
	Estimator
	MarshalBinary() ([]byte, error)
	UnmarshalBinary(data []byte) error
}
