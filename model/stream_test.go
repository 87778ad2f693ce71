package model_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/trial"
)

// newPets are new rows for petsModel: reordered columns, an extra column,
// the target present (ignored), a missing weight.
const newPets = `weight,note,kind,colour
1.1,a,?,red
10,"b, quoted",?,green
,c,?,blue
9.9,d,dog,blue
0.8,e,cat,green
`

func predictCSV(t *testing.T, m *model.Model, in string, opts model.StreamOptions) (string, error) {
	t.Helper()
	var out bytes.Buffer
	_, err := m.PredictCSV(context.Background(), strings.NewReader(in), &out, opts)
	return out.String(), err
}

// TestPredictCSV checks the output of a stream against PredictColumns on
// the same rows, whatever the chunk size.
func TestPredictCSV(t *testing.T) {
	m := petsModel(t)
	p, err := m.PredictColumns([]model.Column{
		{Name: "weight", Strings: []string{"1.1", "10", "", "9.9", "0.8"}},
		{Name: "colour", Strings: []string{"red", "green", "blue", "blue", "green"}},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := "kind,proba_cat,proba_dog\n"
	for i, l := range p.Labels {
		want += l + "," + strconvFormat(p.Proba.At(i, 0)) + "," + strconvFormat(p.Proba.At(i, 1)) + "\n"
	}
	for _, chunk := range []int{1, 2, 5, 0} {
		got, err := predictCSV(t, m, newPets, model.StreamOptions{Name: "new.csv", Proba: true, ChunkRows: chunk})
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("chunks of %d rows:\n%s\nwant\n%s", chunk, got, want)
		}
	}
	got, err := predictCSV(t, m, newPets, model.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "kind\n" + strings.Join(p.Labels, "\n") + "\n"; got != want {
		t.Errorf("without probabilities:\n%s\nwant\n%s", got, want)
	}
}

// TestPredictCSVReadsAsDatasets checks that header names and cells are
// read as package datasets reads the training data: a byte-order mark and
// surrounding spaces dropped.
func TestPredictCSVReadsAsDatasets(t *testing.T) {
	m := petsModel(t)
	want, err := predictCSV(t, m, "colour,weight\nred,1.1\nblue,9\n", model.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := predictCSV(t, m, "\uFEFFcolour , weight\n red ,1.1\nblue\t, 9 \n", model.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestPredictCSVRefuses(t *testing.T) {
	m := petsModel(t)
	cases := []struct {
		name, in string
		want     error
		mention  []string
	}{
		{"empty file", "", model.ErrEmptyInput, []string{"new.csv", "empty"}},
		{"header only", "colour,weight\n", model.ErrEmptyInput, []string{"no rows"}},
		{"missing column", "colour,size\nred,1\n", model.ErrMissingColumn, []string{"new.csv", "weight"}},
		{"text in a numeric column", "colour,weight\nred,1\nred,2\nblue,heavy\n", model.ErrColumnType, []string{"new.csv:4", "weight", "heavy"}},
		{"unknown category", "colour,weight\nred,1\npurple,2\n", model.ErrColumnType, []string{"new.csv:3", "colour", "purple"}},
		{"ragged row", "colour,weight\nred,1\nred\n", trial.ErrBadInput, []string{"new.csv:3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := predictCSV(t, m, c.in, model.StreamOptions{Name: "new.csv", ChunkRows: 2})
			if !errors.Is(err, c.want) || !errors.Is(err, trial.ErrBadInput) {
				t.Fatalf("got %v, want %v and ErrBadInput", err, c.want)
			}
			for _, s := range c.mention {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%v does not mention %q", err, s)
				}
			}
		})
	}
	reg := fit(t, fitRequest("diabetes", "ridge", nil, 1))
	if _, err := predictCSV(t, reg, "age\n1\n", model.StreamOptions{Proba: true}); !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("probabilities of a regression: got %v", err)
	}
}

func TestPredictCSVCancelled(t *testing.T) {
	m := petsModel(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.PredictCSV(ctx, strings.NewReader(newPets), &bytes.Buffer{}, model.StreamOptions{ChunkRows: 1})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

type petRow struct {
	Note   string   `parquet:"note"`
	Colour *string  `parquet:"colour,optional"`
	Weight *float64 `parquet:"weight,optional"`
}

// TestPredictParquet checks that a Parquet file of the same rows gives
// the same output as the CSV, nulls as missing cells.
func TestPredictParquet(t *testing.T) {
	m := petsModel(t)
	s := func(v string) *string { return &v }
	f := func(v float64) *float64 { return &v }
	rows := []petRow{
		{"a", s("red"), f(1.1)}, {"b", s("green"), f(10)}, {"c", s("blue"), nil},
		{"d", s("blue"), f(9.9)}, {"e", s("green"), f(0.8)},
	}
	path := filepath.Join(t.TempDir(), "new.parquet")
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[petRow](&buf)
	for i, r := range rows {
		// One row group per two rows: chunks cross row groups.
		if _, err := w.Write([]petRow{r}); err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || len(pf.RowGroups()) != 3 {
		t.Fatalf("the test file has %d row groups (%v), want 3", len(pf.RowGroups()), err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := predictCSV(t, m, newPets, model.StreamOptions{Proba: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, chunk := range []int{1, 3, 0} {
		var out bytes.Buffer
		n, err := m.PredictFile(context.Background(), path, &out, model.StreamOptions{Proba: true, ChunkRows: chunk})
		if err != nil {
			t.Fatal(err)
		}
		if n != 5 || out.String() != want {
			t.Errorf("chunks of %d: %d rows:\n%s\nwant\n%s", chunk, n, out.String(), want)
		}
	}
	// A damaged file.
	bad := filepath.Join(t.TempDir(), "bad.parquet")
	if err := os.WriteFile(bad, buf.Bytes()[:buf.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := m.PredictFile(context.Background(), bad, &bytes.Buffer{}, model.StreamOptions{}); !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("damaged file: got %v", err)
	}
}
