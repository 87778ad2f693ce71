package model

import (
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/preprocess"
	"github.com/hpsearch/hpsearch/trial"

	_ "github.com/hpsearch/hpsearch/trainers/zoo" // every family a model file may name
)

// restore checks m's metadata and rebuilds its preprocessing and
// estimator from the stored state. It never panics.
func (m *Model) restore() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("restoring %s: %v", m.Family, p)
		}
	}()
	fam, ok := trainers.Lookup(m.Family)
	if !ok {
		return fmt.Errorf("family %q is not one this hpsearch knows (see hpsearch models)", m.Family)
	}
	l, ok := fam.(trainers.Learner)
	if !ok {
		return fmt.Errorf("family %q is a test function, not a model trained on data", m.Family)
	}
	if !l.Info().Supports(m.Task) {
		return fmt.Errorf("family %s does not support task %q", m.Family, m.Task)
	}
	switch {
	case m.Task == trial.Classification && len(m.Classes) < 2:
		return fmt.Errorf("classification with %d classes", len(m.Classes))
	case m.Task == trial.Regression && m.Classes != nil:
		return fmt.Errorf("regression with classes")
	case len(m.Features) == 0:
		return fmt.Errorf("no features")
	}
	seen := make(map[string]bool, len(m.Features))
	for _, f := range m.Features {
		if f == "" || seen[f] {
			return fmt.Errorf("feature name %q is empty or repeated", f)
		}
		seen[f] = true
	}
	for f := range m.Categories {
		if !seen[f] {
			return fmt.Errorf("categories for %q, which is not a feature", f)
		}
	}
	if m.Params, err = trainers.Resolve(l.Info(), m.Params); err != nil {
		return err
	}
	cfg := trainers.Config{Task: m.Task, Classes: len(m.Classes), Seed: m.Seed}
	est, err := l.New(m.Params, cfg)
	if err != nil {
		return err
	}
	pe, ok := est.(trainers.Persistent)
	if !ok {
		return fmt.Errorf("family %s cannot be restored from a file", m.Family)
	}
	if err := pe.UnmarshalBinary(m.EstimatorState); err != nil {
		return err
	}
	if m.Preprocess.Scale == "" {
		return fmt.Errorf("preprocess.scale is empty")
	}
	pipe, err := preprocess.NewPipeline(m.Preprocess.Scale, m.Preprocess.Impute)
	if err != nil {
		return err
	}
	if err := pipe.UnmarshalBinary(m.PreprocessState); err != nil {
		return err
	}
	m.est, m.pipe = pe, pipe
	// One prediction on a row of zeros checks that the state fits the
	// features: a mismatch would panic in the estimator.
	probe := trainers.NewMatrix(1, len(m.Features))
	if _, err := m.predict(probe, m.CanPredictProba()); err != nil {
		m.est, m.pipe = nil, nil
		return fmt.Errorf("the fitted state does not fit the %d features: %w", len(m.Features), err)
	}
	return nil
}
