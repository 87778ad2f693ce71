package preprocess_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trainers/preprocess"
)

// TestPipelinePersist checks that a fitted pipeline restored into one
// built with the same settings transforms bit for bit, that its bytes are
// deterministic, and that bytes for other settings or cut short are
// refused with trainers.ErrBadState.
func TestPipelinePersist(t *testing.T) {
	X := matrix([]float64{1, nan, 3}, []float64{4, 5, nan}, []float64{-2, 0.5, 7}, []float64{0.1, 0.2, 0.3})
	settings := [][2]string{
		{"", ""}, {preprocess.Standard, ""}, {preprocess.MinMax, preprocess.Mean},
		{preprocess.Standard, preprocess.Median}, {preprocess.None, preprocess.MostFrequent},
	}
	for _, s := range settings {
		t.Run(s[0]+"/"+s[1], func(t *testing.T) {
			fit := func() *preprocess.Pipeline {
				p, err := preprocess.NewPipeline(s[0], s[1])
				if err != nil {
					t.Fatal(err)
				}
				Xf := X
				if s[1] == "" {
					Xf = matrix([]float64{1, 2, 3}, []float64{4, 5, 6}, []float64{-2, 0.5, 7})
				}
				if err := p.Fit(Xf); err != nil {
					t.Fatal(err)
				}
				return p
			}
			a := fit()
			data, err := a.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if again, _ := fit().MarshalBinary(); !bytes.Equal(again, data) {
				t.Error("two fits marshal to different bytes")
			}
			b, _ := preprocess.NewPipeline(s[0], s[1])
			if err := b.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			in := matrix([]float64{10, 20, 30}, []float64{-1, 0, 1})
			want, err1 := a.Transform(in)
			got, err2 := b.Transform(in)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			trainertest.SameBits(t, "Transform", want.Data, got.Data)
			for n := range len(data) {
				c, _ := preprocess.NewPipeline(s[0], s[1])
				if err := c.UnmarshalBinary(data[:n]); !errors.Is(err, trainers.ErrBadState) {
					t.Fatalf("truncated to %d bytes: got %v", n, err)
				}
			}
			for _, other := range settings {
				if other == s {
					continue
				}
				c, _ := preprocess.NewPipeline(other[0], other[1])
				if err := c.UnmarshalBinary(data); !errors.Is(err, trainers.ErrBadState) {
					t.Errorf("restored into %q/%q: got %v, want ErrBadState", other[0], other[1], err)
				}
			}
		})
	}
}

func TestUnfittedPipelineRefusesToMarshal(t *testing.T) {
	p, _ := preprocess.NewPipeline(preprocess.Standard, "")
	if _, err := p.MarshalBinary(); err == nil {
		t.Error("no error")
	}
}
