package preprocess

import "github.com/hpsearch/hpsearch/trainers"

// Pipeline is the preprocessing of one fold: imputation, if any, then
// scaling, if any. Without imputation it rejects matrices with missing
// cells. Fit it on the training rows, then Transform the training and the
// validation rows with it.
type Pipeline struct {
	steps  []Step
	impute bool
}

// NewPipeline returns an unfitted pipeline. scale is "standard", "minmax",
// or "none" or "" for no scaling (resolve a model's default with ScaleFor
// first). impute is "mean", "median", "most_frequent", or "" to reject
// missing cells with ErrMissing.
func NewPipeline(scale, impute string) (*Pipeline, error) {
	p := &Pipeline{}
	if impute != "" {
		m, err := NewImputer(impute)
		if err != nil {
			return nil, err
		}
		p.steps = append(p.steps, m)
		p.impute = true
	}
	if scale != "" && scale != None {
		s, err := NewScaler(scale)
		if err != nil {
			return nil, err
		}
		p.steps = append(p.steps, s)
	}
	return p, nil
}

// Fit fits every step on X, each on the output of the previous one.
func (p *Pipeline) Fit(X trainers.Matrix) error {
	_, err := p.FitTransform(X)
	return err
}

// FitTransform fits the pipeline on X and returns X transformed.
func (p *Pipeline) FitTransform(X trainers.Matrix) (trainers.Matrix, error) {
	if err := p.check(X); err != nil {
		return trainers.Matrix{}, err
	}
	for _, s := range p.steps {
		if err := s.Fit(X); err != nil {
			return trainers.Matrix{}, err
		}
		X = s.Transform(X)
	}
	return X, nil
}

// Transform applies the fitted steps to X. With no steps it returns X
// itself, which is safe because matrices are read-only.
func (p *Pipeline) Transform(X trainers.Matrix) (trainers.Matrix, error) {
	if err := p.check(X); err != nil {
		return trainers.Matrix{}, err
	}
	for _, s := range p.steps {
		X = s.Transform(X)
	}
	return X, nil
}

func (p *Pipeline) check(X trainers.Matrix) error {
	if p.impute {
		return nil
	}
	if i, j, ok := hasMissing(X); ok {
		return badInput(ErrMissing, "row %d column %d is empty and no imputation was asked for", i, j)
	}
	return nil
}
